"""Invoicing end to end: a basket of N orders invoiced, rendered to PDF and e-mailed.

Starts embedded PostgreSQL, the Tansu broker and a local SMTP inbox (or uses ``DATABASE_URL`` /
``KAFKA_BOOTSTRAP_SERVERS``), runs the invoicing service in-process, loads N orders, invoices the
basket with ``email_after`` and prints invoices created, rendered and e-mailed per second, and
the peak memory and CPU time of this process and of its PDF render processes. The machine's
load average is printed too: on a shared machine other work takes cores away from the run.

    .venv/bin/python bench/invoicing_throughput.py [--orders 1000] [--render-processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import socket
import sys
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import bench_stack  # noqa: E402
from contracts.common import OrderRef  # noqa: E402
from contracts.invoicing import AddOrdersToBasket, InvoiceBasket  # noqa: E402
from polc.runtime.service import ServiceRuntime  # noqa: E402
from polc.runtime.settings import ServiceSettings  # noqa: E402
from polc.stack.smtp_inbox import SmtpInbox  # noqa: E402
from services.invoicing.app import build  # noqa: E402
from tests.integration.invoicing.harness import Harness, invoicing_settings, make_order, routing_for  # noqa: E402


async def counts(conn: asyncpg.Connection) -> tuple[int, int, int]:
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM invoicing.invoices) AS created,
                  (SELECT count(*) FROM invoicing.invoice_pdfs) AS rendered,
                  (SELECT count(*) FROM invoicing.invoice_emails WHERE status = 'sent') AS sent""")
    return row["created"], row["rendered"], row["sent"]


def proc_status(pid: int) -> tuple[float, float]:
    """(peak resident MiB, CPU seconds) of a live process, from /proc."""
    hwm = 0.0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return hwm, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(args: argparse.Namespace, dsn: str, bootstrap: str, mail: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = SmtpInbox(mail, port=port)
    inbox.start()
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    base = ServiceSettings(database_url=dsn, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=prefix,
                           http_port=0, outbox_poll_interval_s=0.2)
    settings = invoicing_settings(base, port, render_processes=args.render_processes, batch_chunk_size=50)
    harness = Harness(routing_for(prefix), bootstrap)
    orders = [make_order(n) for n in range(1, args.orders + 1)]
    try:
        async with ServiceRuntime(build(settings), settings, harness.routing):
            await harness.start(["polc.invoicing.batches.v1"])
            await harness.publish(*orders)
            probe = await asyncpg.connect(dsn)
            while await probe.fetchval("SELECT count(*) FROM invoicing.orders") < args.orders:
                await asyncio.sleep(0.1)
            refs = tuple(OrderRef(shop_id=o.shop_id, shop_order_id=o.shop_order_id) for o in orders)
            await harness.publish(AddOrdersToBasket(basket_id="bench", orders=refs, requested_by="bench"))
            while await probe.fetchval("SELECT count(*) FROM invoicing.basket_items") < args.orders:
                await asyncio.sleep(0.05)
            start = time.monotonic()
            await harness.publish(InvoiceBasket(basket_id="bench", batch_id="bench", email_after=True,
                                                requested_by="bench"))
            marks: dict[str, float] = {}
            while len(marks) < 3:
                created, rendered, sent = await counts(probe)
                now = time.monotonic() - start
                for name, value in (("created", created), ("rendered", rendered), ("e-mailed", sent)):
                    if value >= args.orders and name not in marks:
                        marks[name] = now
                await asyncio.sleep(0.05)
            await probe.close()
            renderers = [proc_status(p.pid) for p in multiprocessing.active_children()]
            own_cpu = time.process_time()
    finally:
        await harness.stop()
        inbox.stop()
    for name in ("created", "rendered", "e-mailed"):
        print(f"{name:>9}: {args.orders} invoices in {marks[name]:.1f}s = {args.orders / marks[name]:.1f}/s")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    largest = max((r[0] for r in renderers), default=0.0)
    print(f"peak memory: service process {own:.0f} MiB, largest render process {largest:.0f} MiB "
          f"({len(renderers)} render processes)")
    render_cpu = sum(r[1] for r in renderers)
    print(f"CPU: render processes {render_cpu:.1f}s ({1000 * render_cpu / args.orders:.0f} ms/invoice), "
          f"service process incl. SMTP inbox and loading {own_cpu:.1f}s")
    print(f"mails in inbox: {len(list(mail.glob('*.eml')))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--render-processes", type=int, default=2)
    args = parser.parse_args()
    with bench_stack() as (dsn, bootstrap, tmp, described):
        print(f"{args.orders} orders; {args.render_processes} render processes; {described}")
        asyncio.run(run(args, dsn, bootstrap, tmp / "mail"))


if __name__ == "__main__":
    main()
