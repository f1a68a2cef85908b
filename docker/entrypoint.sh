#!/bin/sh
# Container start-up: migrate the database, then serve. Configured only by LENTERA_* variables.
# Kept as a plain script so it is tested outside Docker (tests/test_entrypoint.py).
set -eu

: "${LENTERA_ENV:=production}"
export LENTERA_ENV
PORT="${PORT:-8000}"
WORKERS="${WEB_CONCURRENCY:-2}"

# Without LENTERA_DATABASE_URL Lentera would use an SQLite file inside the container, lost
# when the container is recreated: refuse in production rather than lose data quietly.
if [ "$LENTERA_ENV" = "production" ] && [ -z "${LENTERA_DATABASE_URL:-}" ]; then
    echo "LENTERA_DATABASE_URL is not set: this container would keep its data in an SQLite" \
        "file inside the container and lose it when the container is recreated." \
        "Set LENTERA_DATABASE_URL to PostgreSQL (postgresql://user:password@host:5432/lentera)," \
        "or to an SQLite file on a mounted volume (sqlite:////data/lentera.db with" \
        "--volume lentera-data:/data). See docs/deployment.md." >&2
    exit 1
fi

lentera migrate
exec lentera serve --host "${HOST:-0.0.0.0}" --port "$PORT" --workers "$WORKERS" "$@"
