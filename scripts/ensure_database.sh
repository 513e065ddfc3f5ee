#!/usr/bin/env bash
# Create the development database role and database if they are missing (idempotent).
# Only for the default local DATABASE_URL; a custom DATABASE_URL is used as given.
set -euo pipefail
if [ -n "${DATABASE_URL:-}" ]; then
  exit 0
fi
ROLE=asb_portal
DB=asb_portal
if PGPASSWORD=$ROLE psql -h 127.0.0.1 -U $ROLE -d $DB -tAc 'select 1' >/dev/null 2>&1; then
  exit 0
fi
admin() {
  if psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
  elif [ "$(id -u)" = 0 ]; then
    su postgres -c "psql -d postgres -v ON_ERROR_STOP=1 -tAc \"$1\""
  else
    sudo -u postgres psql -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
  fi
}
echo "Creating Postgres role and database '$DB'…"
if [ "$(admin "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'")" != "1" ]; then
  admin "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$ROLE'"
fi
if [ "$(admin "SELECT 1 FROM pg_database WHERE datname='$DB'")" != "1" ]; then
  admin "CREATE DATABASE $DB OWNER $ROLE"
fi
