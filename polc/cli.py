"""The ``polc`` command."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _cmd_up(args: argparse.Namespace) -> int:
    from polc.stack.up import up

    return up(Path(args.home))


def _cmd_service(args: argparse.Namespace) -> int:
    from polc.runtime.process import run

    run(args.name)
    return 0


def _cmd_topics(args: argparse.Namespace) -> int:
    import asyncio

    from polc.runtime import kafka
    from polc.runtime.process import default_routing
    from polc.runtime.settings import ServiceSettings

    settings = ServiceSettings()
    created = asyncio.run(kafka.ensure_topics(settings.kafka_bootstrap_servers,
                                              kafka.topic_specs(default_routing(settings)),
                                              settings.kafka_replication_factor))
    print(f"created {len(created)} topics" + (": " + ", ".join(created) if created else " (all existed)"))
    return 0


def _pytest(extra: list[str], env: dict[str, str]) -> int:
    code = subprocess.call([sys.executable, "-m", "pytest", *extra], cwd=REPO_ROOT, env=env)
    return 0 if code == 5 else code  # 5: nothing selected, e.g. no broker tests in a subset


#: Debian packages some tests use, by the command they provide.
TEST_TOOLS = {
    "docker-compose": "docker-compose",  # validates docker-compose.yml without a Docker engine
    "pdftotext": "poppler-utils",  # reads the text of generated PDFs
    "chromium": "chromium",  # the browser of the back office's browser tests
}


def _ensure_test_tools() -> None:
    """Install the Debian packages the tests use, where this machine allows it (root + apt)."""
    import shutil

    missing = sorted({pkg for tool, pkg in TEST_TOOLS.items() if shutil.which(tool) is None})
    if not missing or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print(f"installing {', '.join(missing)} from Debian for the tests", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if subprocess.call(install, env=env, **quiet) != 0:
        subprocess.call(["apt-get", "update", "-qq"], env=env, **quiet)
        subprocess.call(install, env=env, **quiet)


def _cmd_test(args: argparse.Namespace) -> int:
    """The whole suite on the embedded broker, then the broker tests again on Apache Kafka."""
    _ensure_test_tools()
    env = dict(os.environ)
    code = _pytest(["-q", *args.pytest_args], {**env, "POLC_TEST_BROKER": "tansu"})
    if code or args.tansu_only:
        return code
    print("\n== broker-facing tests again on Apache Kafka (KRaft)", flush=True)
    return _pytest(["-q", "-m", "broker", *args.pytest_args], {**env, "POLC_TEST_BROKER": "kafka"})


def _cmd_secrets_key(args: argparse.Namespace) -> int:
    from polc.runtime.secrets import new_key

    print(new_key())
    return 0


def _register_service_commands(sub: argparse._SubParsersAction) -> None:
    """Services add their own commands (``polc sync``, ``polc reconcile``...) in ``services/<name>/cli.py``."""
    import importlib
    import importlib.util

    from polc.runtime.process import SERVICES

    for name in SERVICES:
        if importlib.util.find_spec(f"services.{name}.cli") is not None:
            importlib.import_module(f"services.{name}.cli").register(sub)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="polc", description="Back office for ShopRenter webshops")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("up", help="run the whole system on embedded defaults")
    p.add_argument("--home", default=os.environ.get("POLC_HOME", ".polc"), help="state folder (default .polc)")
    p.set_defaults(func=_cmd_up)
    p = sub.add_parser("service", help="run one service in the foreground")
    p.add_argument("name")
    p.set_defaults(func=_cmd_service)
    p = sub.add_parser("topics", help="create every topic (idempotent)")
    p.set_defaults(func=_cmd_topics)
    p = sub.add_parser("secrets-key", help="print a new key for POLC_SECRETS_KEY (seals stored shop credentials)")
    p.set_defaults(func=_cmd_secrets_key)
    p = sub.add_parser("test", help="run the test suite (starts what it needs)")
    p.add_argument("--tansu-only", action="store_true", help="skip the second pass on Apache Kafka")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments")
    p.set_defaults(func=_cmd_test)
    _register_service_commands(sub)
    importlib.import_module("backoffice.cli").register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
