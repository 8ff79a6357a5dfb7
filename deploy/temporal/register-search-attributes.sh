#!/bin/sh
# One-shot `temporal-setup` service of docker-compose.yml: registers the custom search attributes every run
# of the product carries (lib/search-attributes.ts). Safe to run again: attributes that exist are left alone.
# SEARCH_ATTRIBUTES is a space-separated list of Name=Type.
set -eu
address="${TEMPORAL_ADDRESS:?}"
namespace="${TEMPORAL_NAMESPACE:-default}"

# auto-setup registers the namespace shortly after the server reports SERVING.
tries=0
until temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ]; then
    echo "namespace $namespace did not appear on $address" >&2
    exit 1
  fi
  sleep 1
done

existing="$(temporal operator search-attribute list --address "$address" --namespace "$namespace")"
for pair in ${SEARCH_ATTRIBUTES:?}; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --address "$address" --namespace "$namespace" --name "$name" --type "$type"
    echo "search attribute $name ($type) registered"
  fi
done
