"""Running the hub: `nadi hub serve`, or `python -m sync.hub.serve` where the desktop package is
not installed (a cloud server) and for the sync benchmark's hub process."""

from __future__ import annotations

import argparse
import os
import sys

from core.errors import NadiError


def serve(db_url: str, host: str, port: int, relay_settings=None) -> None:
    import uvicorn  # noqa: PLC0415

    from sync.hub.app import create_app  # noqa: PLC0415
    from sync.hub.engine import open_hub  # noqa: PLC0415

    engine = open_hub(db_url)
    print(f"nadi hub: serving on http://{host}:{port} (Ctrl+C stops)", file=sys.stderr, flush=True)
    uvicorn.run(create_app(engine, relay_settings), host=host, port=port, log_level="warning", access_log=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync.hub.serve", description="serve the Nadi hub")
    parser.add_argument("--db", default=os.environ.get("NADI_HUB_DB"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    if not args.db:
        print("nadi hub: say which database to use with --db (or NADI_HUB_DB)", file=sys.stderr)
        return 2
    try:
        serve(args.db, args.host, args.port)
    except NadiError as exc:
        print(f"nadi hub: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
