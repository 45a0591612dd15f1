/**
 * The relay's PostgreSQL schema, as versioned migrations: applied in order, once each, recorded in
 * `hookbridge_migrations` (see migratePostgres). Never edit a migration that has shipped; add one.
 * Times are milliseconds since the epoch (BIGINT), as in the SQLite store.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     id BIGSERIAL PRIMARY KEY,
     source TEXT NOT NULL,
     event_id TEXT NOT NULL,
     provider TEXT NOT NULL,
     type TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     received_at BIGINT NOT NULL,
     headers TEXT NOT NULL,
     body BYTEA NOT NULL,
     event TEXT NOT NULL,
     UNIQUE (source, event_id)
   );
   CREATE INDEX events_received ON events (received_at);
   CREATE INDEX events_event_id ON events (event_id);
   CREATE TABLE deliveries (
     id BIGSERIAL PRIMARY KEY,
     event_rowid BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
     route TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL,
     lease_until BIGINT,
     last_status INTEGER,
     last_error TEXT,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     delivered_at BIGINT
   );
   CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
   CREATE INDEX deliveries_route_due ON deliveries (route, status, next_attempt_at);
   CREATE INDEX deliveries_leased ON deliveries (route, lease_until) WHERE status = 'in_flight';
   CREATE INDEX deliveries_event ON deliveries (event_rowid);
   CREATE TABLE attempts (
     id BIGSERIAL PRIMARY KEY,
     delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
     attempt INTEGER NOT NULL,
     started_at BIGINT NOT NULL,
     duration_ms BIGINT NOT NULL,
     status INTEGER,
     error TEXT,
     retry_at BIGINT
   );
   CREATE INDEX attempts_delivery ON attempts (delivery_id);
   CREATE TABLE route_limits (route TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, updated_at BIGINT NOT NULL);`,
];
