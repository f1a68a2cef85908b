"""Container health check: is Lentera answering /healthz on the port the entrypoint serves on?

Kept beside docker/entrypoint.sh and read from the same variables (PORT, HOST), so the check
and the server cannot disagree about the port; tested outside Docker (tests/test_entrypoint.py).
Exit 0 when healthy, 1 otherwise (what Docker's HEALTHCHECK expects).
"""

import os
import sys
import urllib.request

# Listening on every address: ask over the loopback address.
WILDCARDS = {"", "0.0.0.0", "::"}  # noqa: S104


def main() -> int:
    port = os.environ.get("PORT") or "8000"
    host = os.environ.get("HOST") or ""
    if host in WILDCARDS:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"lentera health check on {host}:{port} failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
