#!/bin/sh
# The roles of the control node's PostgreSQL, with their passwords from the container's environment. The postgres
# image runs this once, on an empty data volume; to change a password later: ALTER ROLE <role> PASSWORD '...'.
#   mirage            owns the `mirage` database: the migrations, the orchestrator and the CLI. CREATEROLE because
#                     migration 0007 runs CREATE ROLE mirage_dashboard, which checks that privilege before it
#                     finds the role already there (PostgreSQL 16 confines CREATEROLE to roles it administers).
#   mirage_dashboard  the dashboard's login; its SELECT-only grants come from migration 0007.
#   temporal          Temporal's two databases, which its auto-setup creates (hence CREATEDB).
set -eu
psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set mirage_password="$MIRAGE_DB_PASSWORD" \
  --set dashboard_password="$DASHBOARD_DB_PASSWORD" \
  --set temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE mirage LOGIN CREATEROLE PASSWORD :'mirage_password';
CREATE DATABASE mirage OWNER mirage;
CREATE ROLE mirage_dashboard LOGIN PASSWORD :'dashboard_password';
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
