#!/bin/sh
# Container start-up: migrate the database, then serve. Configured only by LENTERA_* variables.
# Kept as a plain script so it is tested outside Docker (tests/test_entrypoint.py).
set -eu

: "${LENTERA_ENV:=production}"
export LENTERA_ENV
PORT="${PORT:-8000}"
WORKERS="${WEB_CONCURRENCY:-2}"

lentera migrate
exec lentera serve --host "${HOST:-0.0.0.0}" --port "$PORT" --workers "$WORKERS" "$@"
