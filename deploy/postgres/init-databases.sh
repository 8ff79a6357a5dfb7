#!/bin/sh
# Runs once, when the postgres container starts on an empty data volume (docker-entrypoint-initdb.d):
# the product's database and role, and Temporal's role with its two databases (persistence and visibility).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_password="${APP_DB_PASSWORD:?}" -v temporal_password="${TEMPORAL_DB_PASSWORD:?}" <<'SQL'
CREATE ROLE simon LOGIN PASSWORD :'app_password';
CREATE DATABASE simon OWNER simon;
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
SQL
