"""A ShopRenter API simulator: several in-memory shops behind one real HTTP server.

    app = build_app(["demo1", "demo2"])            # ASGI app
    await serve("127.0.0.1", 8765, ["demo1"])      # run until cancelled
    with BackgroundSimulator(["shop1"]) as sim:    # on a thread, free port
        sim.api_base_url("shop1")

CLI: python -m polc.shoprenter_sim --host 127.0.0.1 --port 8765 --shops demo1,demo2
"""

from polc.shoprenter_sim.app import build_app, serve
from polc.shoprenter_sim.runner import BackgroundSimulator
from polc.shoprenter_sim.shopping import Guest, OrderLine, PlaceOrder
from polc.shoprenter_sim.specs import FaultConfig, ShopSpec

__all__ = ["BackgroundSimulator", "FaultConfig", "Guest", "OrderLine", "PlaceOrder", "ShopSpec", "build_app", "serve"]
