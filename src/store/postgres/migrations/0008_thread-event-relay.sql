-- Up Migration
--
-- Helpline schema 8: live thread events across instances (src/store/postgres/event-relay.ts). Events themselves
-- travel by NOTIFY on the channel `helpline_thread_events`; these tables hold only what NOTIFY cannot:
--
-- * thread_watchers: which instance (holder) watches which thread, so an instance relays a thread's events only
--   when another one watches it. Each holder renews its rows (until) while it runs; rows of a dead instance run out.
-- * thread_event_bodies: events too large for a NOTIFY payload (8000 bytes); the NOTIFY carries the row id and the
--   receivers read the body. Rows are deleted minutes later by the next large event.
--
-- Both are UNLOGGED: transient (no WAL, not on standbys); after a crash or failover they start empty, which only
-- means instances re-register their watches at the next renewal and a client resyncs.

CREATE UNLOGGED TABLE thread_watchers (
  thread_key text NOT NULL,
  holder text NOT NULL,
  until timestamptz NOT NULL,
  PRIMARY KEY (thread_key, holder)
);
CREATE INDEX thread_watchers_until_idx ON thread_watchers (until);

CREATE UNLOGGED TABLE thread_event_bodies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX thread_event_bodies_created_idx ON thread_event_bodies (created_at);

-- Down Migration

DROP TABLE thread_event_bodies, thread_watchers;
