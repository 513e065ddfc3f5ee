"""Say in one clear line if Postgres or Redis cannot be reached, with the command to start it."""

import os
import socket
import sys
from urllib.parse import urlparse

DEFAULT_DB = "postgres://asb_portal:asb_portal@127.0.0.1:5432/asb_portal"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def reachable(url: str, default_port: int) -> tuple[str, int, bool]:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return host, port, True
    except OSError:
        return host, port, False


def main() -> int:
    failed = False
    host, port, ok = reachable(os.environ.get("DATABASE_URL", DEFAULT_DB), 5432)
    if not ok:
        print(
            f"PostgreSQL is not reachable at {host}:{port}. Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
            "(or install it: apt-get install -y postgresql)",
            file=sys.stderr,
        )
        failed = True
    host, port, ok = reachable(os.environ.get("REDIS_URL", DEFAULT_REDIS), 6379)
    if not ok:
        print(
            f"Redis is not reachable at {host}:{port}. Start it with: "
            'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no '
            "(or install it: apt-get install -y redis-server)",
            file=sys.stderr,
        )
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
