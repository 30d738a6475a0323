"""Write a screenshot of every back-office screen to ``docs/screenshots/``.

Runs the day the browser test walks (a simulated shop, the four services, an SMTP inbox, the back
office) on an embedded PostgreSQL and broker, in headless Chromium. From the repository root:

    python -m backoffice.screenshots [--out docs/screenshots] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from pathlib import Path

import asyncpg

REPO = Path(__file__).resolve().parent.parent


async def _main(out: Path, chromium: str) -> int:
    from playwright.async_api import async_playwright

    from tests.e2e.backoffice.harness import running_day
    from tests.e2e.backoffice.walk import CHROMIUM_ARGS, walk_the_day
    from tests.support.stack import TestStack

    with tempfile.TemporaryDirectory(prefix="polc-shots-") as tmp:
        stack = TestStack(Path(tmp))
        await stack.start()
        try:
            name = f"shots_{uuid.uuid4().hex[:8]}"
            admin = await asyncpg.connect(stack.admin_dsn)
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
            base = dict(database_url=stack.admin_dsn.rsplit("/", 1)[0] + f"/{name}",
                        kafka_bootstrap_servers=stack.bootstrap_servers, kafka_topic_prefix=f"{name}.", http_port=0,
                        outbox_poll_interval_s=0.2, retry_base_delay_s=0.01, retry_max_delay_s=0.2,
                        epoch_check_interval_s=2.0)
            for old in out.glob("*.png"):
                old.unlink()
            async with running_day(base, Path(tmp)) as day, async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                context = await browser.new_context(viewport={"width": 1360, "height": 860}, locale="hu-HU")
                page = await context.new_page()
                page.set_default_timeout(30_000)
                await walk_the_day(page, context, day, out)
                await browser.close()
        finally:
            await stack.stop()
    print(f"wrote {len(list(out.glob('*.png')))} screenshots to {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable (Debian's package)")
    args = parser.parse_args()
    return asyncio.run(_main(args.out.resolve(), args.chromium))


if __name__ == "__main__":
    raise SystemExit(main())
