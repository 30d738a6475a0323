"""Invoicing end to end: a basket of N orders invoiced, rendered to PDF and e-mailed.

Starts embedded PostgreSQL, the Tansu broker and a local SMTP inbox (or uses ``DATABASE_URL`` /
``KAFKA_BOOTSTRAP_SERVERS``), runs the invoicing service in-process, loads N orders, invoices the
basket with ``email_after`` and prints invoices created, rendered and e-mailed per second, the
peak memory, and the CPU time each process spent per invoice while the basket ran (service
process, PDF render processes, SMTP inbox, PostgreSQL, broker). The SMTP inbox runs as its own
process, like a real mail server would. The machine's load average is printed too: on a shared
machine other work takes cores away from the run.

    .venv/bin/python bench/invoicing_throughput.py [--orders 1000] [--render-processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import socket
import subprocess
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
    return hwm, proc_cpu(pid)


def proc_cpu(pid: int, *, children: bool = False) -> float:
    """CPU seconds of a process (and of its children it has waited for), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process on the machine."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        found.append((int(entry.name), ppid, cmdline))
    return found


def cpu_by_part(scratch: Path, bootstrap: str, inbox_pid: int) -> dict[str, float]:
    """CPU seconds used so far by each part of the run (PostgreSQL counts its exited backends too)."""
    procs = processes()
    own = os.getpid()
    parts = {"service": proc_cpu(own), "render": sum(proc_cpu(p.pid) for p in multiprocessing.active_children()),
             "smtp inbox": proc_cpu(inbox_pid), "postgres": 0.0, "broker": 0.0}
    port = bootstrap.rsplit(":", 1)[-1]
    for pid, _, cmd in procs:
        if str(scratch / "pgdata") in cmd:  # the postmaster: itself, its live and its exited backends
            parts["postgres"] += proc_cpu(pid, children=True)
            parts["postgres"] += sum(proc_cpu(child) for child, parent, _ in procs if parent == pid)
        elif "tansu" in cmd and f":{port}" in cmd:
            parts["broker"] += proc_cpu(pid)
    return parts


async def run(args: argparse.Namespace, dsn: str, bootstrap: str, scratch: Path) -> None:
    mail = scratch / "mail"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = subprocess.Popen([sys.executable, "-m", "polc.stack.smtp_inbox", "--folder", str(mail),
                              "--port", str(port)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    inbox.stdout.readline()  # "SMTP inbox on ..." once it listens
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
            load_before = os.getloadavg()
            cpu_before = cpu_by_part(scratch, bootstrap, inbox.pid)
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
            cpu_after = cpu_by_part(scratch, bootstrap, inbox.pid)
            load_after = os.getloadavg()
            await probe.close()
            renderers = [proc_status(p.pid) for p in multiprocessing.active_children()]
    finally:
        await harness.stop()
        inbox.terminate()
        inbox.wait()
    for name in ("created", "rendered", "e-mailed"):
        print(f"{name:>9}: {args.orders} invoices in {marks[name]:.1f}s = {args.orders / marks[name]:.1f}/s")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    largest = max((r[0] for r in renderers), default=0.0)
    print(f"peak memory: service process {own:.0f} MiB, largest render process {largest:.0f} MiB "
          f"({len(renderers)} render processes)")
    used = {part: cpu_after[part] - cpu_before[part] for part in cpu_after}
    total = sum(used.values())
    print(f"CPU while the basket ran ({marks['e-mailed']:.1f}s wall, {total / marks['e-mailed']:.2f} cores busy "
          f"with this run): {1000 * total / args.orders:.0f} ms/invoice = "
          + ", ".join(f"{part} {1000 * seconds / args.orders:.0f}" for part, seconds in used.items()))
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"mails in inbox: {len(list(mail.glob('*.eml')))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--render-processes", type=int, default=2)
    args = parser.parse_args()
    with bench_stack() as (dsn, bootstrap, tmp, described):
        print(f"{args.orders} orders; {args.render_processes} render processes; {described}")
        asyncio.run(run(args, dsn, bootstrap, tmp))


if __name__ == "__main__":
    main()
