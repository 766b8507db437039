#!/bin/sh
# Serve the portal on http://127.0.0.1:8000 with a Celery worker (and its beat) beside it.
set -e
cd "$(dirname "$0")/.."
mkdir -p var
.venv/bin/celery -A ror worker --beat --pool=solo --without-gossip --without-mingle \
    --schedule var/celerybeat-schedule --loglevel=WARNING >var/celery-worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null' EXIT INT TERM
echo "Worker Celery démarré (journal : var/celery-worker.log)."
.venv/bin/python manage.py runserver 127.0.0.1:8000
