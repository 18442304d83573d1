#!/usr/bin/env bash
# Until the first release the schema is one initial migration: regenerate it after a model change.
# (After a release, add a new revision with `flask --app app db migrate -m "…"` instead.)
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>migrations/.lock
flock 9
tmp=$(mktemp -d)
rm -f migrations/versions/*.py
SAMSKAB_INSTANCE="$tmp" .venv/bin/flask --app app db migrate -m "initial schema" >/dev/null 2>&1 || {
  SAMSKAB_INSTANCE="$tmp" .venv/bin/flask --app app db migrate -m "initial schema"; exit 1; }
SAMSKAB_INSTANCE="$tmp" .venv/bin/flask --app app db upgrade >/dev/null 2>&1
SAMSKAB_INSTANCE="$tmp" .venv/bin/flask --app app db check
rm -rf "$tmp"
ls migrations/versions/
