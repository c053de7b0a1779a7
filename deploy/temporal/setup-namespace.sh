#!/bin/sh
# Waits for the Temporal server to answer, then creates the service's namespace and registers the search
# attributes the service needs in it, with the `temporal` CLI. Idempotent: what exists is left as it is.
# A server on SQL visibility knows no custom search attribute until it is registered (the dev server is told
# them on its command line): without DriftFound every drift check fails its workflow tasks with
# BadSearchAttributes and stays Running.
#
# Run by the temporal-setup service of docker-compose.production.yml (temporalio/admin-tools) and, as the same
# file, by tools/temporal/production-server.ts (the CLI that scripts/setup.mjs installs).
#
# Environment: TEMPORAL_ADDRESS (temporal:7233), TEMPORAL_NAMESPACE (default),
# TEMPORAL_NAMESPACE_RETENTION (168h: how long closed resyncs and drift checks stay readable),
# TEMPORAL_HEALTH_TRIES (60, two seconds apart), TEMPORAL_CLI (temporal).
set -eu

cli="${TEMPORAL_CLI:-temporal}"
address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
retention="${TEMPORAL_NAMESPACE_RETENTION:-168h}"
tries="${TEMPORAL_HEALTH_TRIES:-60}"
# The names and types of src/contract/names.ts (SEARCH_ATTRIBUTE_NAMES); test/deployment.test.ts compares.
SEARCH_ATTRIBUTES="DeveloperApplicationUrn=Keyword ResyncOutcome=Keyword DriftFound=Keyword"

until "$cli" operator cluster health --address "$address" >/dev/null 2>&1; do
  tries=$((tries - 1))
  if [ "$tries" -le 0 ]; then
    echo "setup-namespace: Temporal at $address is not serving:" >&2
    "$cli" operator cluster health --address "$address" >&2 || true
    exit 1
  fi
  sleep 2
done
echo "setup-namespace: Temporal at $address is serving"

if "$cli" operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "setup-namespace: namespace $namespace exists"
else
  "$cli" operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
  echo "setup-namespace: namespace $namespace created (retention $retention)"
fi

# A namespace just created reaches the frontend's namespace cache within seconds (its refresh interval):
# until then requests in it fail with "Namespace … is not found".
tries="${TEMPORAL_HEALTH_TRIES:-60}"
until existing="$("$cli" operator search-attribute list --address "$address" --namespace "$namespace" 2>&1)"; do
  tries=$((tries - 1))
  if [ "$tries" -le 0 ]; then
    echo "setup-namespace: namespace $namespace does not answer: $existing" >&2
    exit 1
  fi
  sleep 2
done
for attribute in $SEARCH_ATTRIBUTES; do
  name="${attribute%%=*}"
  type="${attribute#*=}"
  if printf '%s\n' "$existing" | grep -Eq "^[[:space:]]*$name[[:space:]]"; then
    echo "setup-namespace: search attribute $name exists"
  else
    "$cli" operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type "$type"
    echo "setup-namespace: search attribute $name ($type) registered"
  fi
done
