#!/bin/sh
# Creates Temporal's two PostgreSQL databases (persistence and visibility) and brings each schema to the
# version the server needs, with Temporal's own SQL tool, as Temporal's admin-tools do: create-database,
# setup-schema -v 0.0 (the version tables), update-schema -d <versioned dir> (every version after the one
# recorded). Every step is idempotent: run it again after an upgrade of the server image and it applies the
# new versions only.
#
# Run by the temporal-schema service of docker-compose.production.yml (temporalio/admin-tools, which holds
# temporal-sql-tool on its PATH and the schema files under /etc/temporal/schema) and, as the same file, by
# tools/temporal/production-server.ts (the tool that scripts/setup.mjs builds, the schema of its module).
#
# Environment: SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD (read by temporal-sql-tool itself);
# TEMPORAL_DB_NAME (temporal), TEMPORAL_VISIBILITY_DB_NAME (temporal_visibility);
# TEMPORAL_SCHEMA_DIR (/etc/temporal/schema), TEMPORAL_SQL_TOOL (temporal-sql-tool).
set -eu

: "${SQL_HOST:?set SQL_HOST, the PostgreSQL server of Temporal}"
: "${SQL_USER:?set SQL_USER}"
: "${SQL_PASSWORD:?set SQL_PASSWORD}"
SQL_PLUGIN=postgres12
SQL_PORT="${SQL_PORT:-5432}"
export SQL_HOST SQL_USER SQL_PASSWORD SQL_PLUGIN SQL_PORT
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
schema="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12"

setup() {
  database="$1"
  versioned="$2"
  if [ ! -d "$versioned" ]; then
    echo "setup-schema: no schema directory $versioned" >&2
    exit 1
  fi
  echo "setup-schema: $database from $versioned"
  "$tool" --db "$database" create-database
  "$tool" --db "$database" setup-schema -v 0.0
  "$tool" --db "$database" update-schema -d "$versioned"
}

setup "${TEMPORAL_DB_NAME:-temporal}" "$schema/temporal/versioned"
setup "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}" "$schema/visibility/versioned"
echo "setup-schema: done"
