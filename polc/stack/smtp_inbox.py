"""A local SMTP server that stores every message it receives as an ``.eml`` file."""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


class MaildirHandler:
    """Writes each delivered message to ``folder/<time>-<id>.eml``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.folder / name)  # readers never see half a file
        return "250 Message accepted for delivery"


class SmtpInbox:
    """An SMTP inbox on ``host:port`` (runs its own thread)."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.folder = folder
        self.controller = Controller(MaildirHandler(folder), hostname=host, port=port)

    def start(self) -> int:
        self.controller.start()
        return self.controller.server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.controller.stop()

    def messages(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Local SMTP inbox storing .eml files")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    args = parser.parse_args()
    inbox = SmtpInbox(args.folder, args.host, args.port)
    port = inbox.start()
    print(f"SMTP inbox on {args.host}:{port}, mail in {args.folder}", flush=True)

    async def wait() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait())
    finally:
        inbox.stop()


if __name__ == "__main__":
    main()
