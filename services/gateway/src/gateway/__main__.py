"""`python -m gateway [--workers-only] [--host H] [--port P]`: the gateway under uvicorn.

`--workers-only` runs queue workers without the webhook and API routes' traffic (the
health endpoints stay up for probes): scale workers apart from the web tier.
"""

from __future__ import annotations

import argparse
import os

import uvicorn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
    parser.add_argument("--workers-only", action="store_true", help="run queue workers only")
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))  # noqa: S104
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    args = parser.parse_args(argv)
    if args.workers_only:
        os.environ["GATEWAY_ROLE"] = "worker"
    uvicorn.run(
        "gateway.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        access_log=False,
    )


if __name__ == "__main__":
    main()
