#!/usr/bin/env bash
# Production mode on one host: gunicorn (whitenoise serves static files), a
# Celery worker and Celery beat. Stops all three when any of them stops.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DEBUG=0

$BIN/python manage.py collectstatic --noinput --verbosity 0
$BIN/python manage.py migrate --noinput

pids=()
$BIN/celery -A cma worker --loglevel=info --concurrency="${CELERY_CONCURRENCY:-2}" & pids+=($!)
$BIN/celery -A cma beat --loglevel=info & pids+=($!)
$BIN/gunicorn cma.wsgi:application \
  --bind "${BIND:-127.0.0.1:8000}" \
  --workers "${WEB_CONCURRENCY:-4}" \
  --access-logfile - & pids+=($!)

trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
wait -n "${pids[@]}"
