-- The dashboard's own role: it may read every table of this database and write none (a write fails with SQLSTATE
-- 42501, insufficient_privilege). Roles belong to the server, not the database, so the role is created once and
-- each migrated database grants it SELECT, now and on every table later migrations create. On the local stack the
-- server trusts local connections; on a shared server set its password once: ALTER ROLE mirage_dashboard PASSWORD '...'.
DO $$
BEGIN
  CREATE ROLE mirage_dashboard LOGIN;
EXCEPTION
  -- another database's migration created it first, or concurrently (a unique violation on pg_authid)
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO mirage_dashboard', current_database());
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO mirage_dashboard;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA public TO mirage_dashboard;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO mirage_dashboard;
