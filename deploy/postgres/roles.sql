-- Two roles for one Twitchlog database (see deploy/postgres/README.md):
--   twitchlog_owner  owns the schema and runs the migrations (twitchlog-migrate.service)
--   twitchlog_app    the web app and the dispatchers: rows only, no DDL
-- Run as a superuser:  psql -v owner_password="'...'" -v app_password="'...'" -f deploy/postgres/roles.sql
CREATE ROLE twitchlog_owner LOGIN PASSWORD :owner_password;
CREATE ROLE twitchlog_app LOGIN PASSWORD :app_password;
CREATE DATABASE twitchlog OWNER twitchlog_owner;
\connect twitchlog
-- nobody else creates objects in the public schema; the app can use it, not change it
ALTER SCHEMA public OWNER TO twitchlog_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE twitchlog FROM PUBLIC;
GRANT CONNECT ON DATABASE twitchlog TO twitchlog_app;
GRANT USAGE ON SCHEMA public TO twitchlog_app;
-- every table and sequence the owner's migrations make, now and later
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO twitchlog_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO twitchlog_app;
ALTER DEFAULT PRIVILEGES FOR ROLE twitchlog_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO twitchlog_app;
ALTER DEFAULT PRIVILEGES FOR ROLE twitchlog_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO twitchlog_app;
