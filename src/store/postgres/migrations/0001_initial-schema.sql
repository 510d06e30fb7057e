-- Up Migration
--
-- Helpline schema 1: every collection of src/store/schema.ts as normalised tables. The database keeps the
-- promises the product makes (one ledger entry per inbound message, one decision per approval, one reply per
-- source message, single-use reset links, one pending request per customer...), so two instances racing each
-- other cannot break them even if application code has a bug.
-- Conventions: timestamps are timestamptz; money is bigint minor units; enums are text with a CHECK (shared ones
-- as domains); nested data that is never queried (draft input, transcript content, audit details, outbox payload)
-- is jsonb; no untyped key-value "state" table: each piece of component state has its own table.

CREATE DOMAIN record_id AS text CHECK (char_length(VALUE) BETWEEN 1 AND 100);
CREATE DOMAIN channel_kind AS text CHECK (VALUE IN ('slack', 'email', 'terminal', 'web', 'phone'));
CREATE DOMAIN actor_kind AS text CHECK (VALUE IN ('customer', 'staff', 'system', 'anonymous'));
CREATE DOMAIN ticket_status AS text CHECK (VALUE IN ('open', 'in_progress', 'resolved', 'closed'));
CREATE DOMAIN currency_code AS text CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE DOMAIN country_code AS text CHECK (VALUE ~ '^[A-Z]{2}$');
CREATE DOMAIN thread_key AS text CHECK (char_length(VALUE) BETWEEN 1 AND 500);

-- ---------------------------------------------------------------- customers, accounts, cards, transactions

CREATE TABLE customers (
  id record_id PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  email text NOT NULL CHECK (char_length(email) <= 254 AND email LIKE '_%@_%'),
  phone text CHECK (char_length(phone) <= 40),
  address_line1 text NOT NULL CHECK (char_length(address_line1) BETWEEN 1 AND 200),
  address_line2 text CHECK (char_length(address_line2) <= 200),
  address_city text NOT NULL CHECK (char_length(address_city) BETWEEN 1 AND 100),
  address_region text CHECK (char_length(address_region) <= 100),
  address_postal_code text NOT NULL CHECK (char_length(address_postal_code) BETWEEN 1 AND 20),
  address_country country_code NOT NULL,
  -- Identity: a Slack user is at most one customer.
  slack_user_id text UNIQUE CHECK (char_length(slack_user_id) BETWEEN 1 AND 40),
  -- scrypt hash `scrypt$N$r$p$salt$hash`, never the password.
  password_hash text CHECK (password_hash LIKE 'scrypt$%' AND char_length(password_hash) <= 500),
  password_changed_at timestamptz,
  created_at timestamptz NOT NULL
);
-- Identity: a verified email address is at most one customer, whatever its case.
CREATE UNIQUE INDEX customers_email_lower_key ON customers (lower(email));

CREATE TABLE accounts (
  id record_id PRIMARY KEY,
  customer_id record_id NOT NULL REFERENCES customers (id),
  type text NOT NULL CHECK (type IN ('checking', 'savings', 'credit')),
  currency currency_code NOT NULL,
  balance_minor bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'frozen', 'closed')),
  opened_at timestamptz NOT NULL,
  UNIQUE (id, customer_id)
);
CREATE INDEX accounts_customer_idx ON accounts (customer_id);

CREATE TABLE cards (
  id record_id PRIMARY KEY,
  customer_id record_id NOT NULL REFERENCES customers (id),
  account_id record_id NOT NULL,
  brand text NOT NULL CHECK (brand IN ('visa', 'mastercard', 'amex')),
  last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  status text NOT NULL CHECK (status IN ('active', 'deactivated')),
  exp_month smallint NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year smallint NOT NULL CHECK (exp_year BETWEEN 2000 AND 2100),
  deactivated_at timestamptz CHECK (deactivated_at IS NULL OR status = 'deactivated'),
  UNIQUE (id, customer_id),
  -- A card draws on an account of its own customer.
  CONSTRAINT cards_account_fkey FOREIGN KEY (account_id, customer_id) REFERENCES accounts (id, customer_id)
);
CREATE INDEX cards_customer_last4_idx ON cards (customer_id, last4);
CREATE INDEX cards_account_idx ON cards (account_id);

CREATE TABLE transactions (
  id record_id PRIMARY KEY,
  account_id record_id NOT NULL REFERENCES accounts (id),
  posted_at timestamptz NOT NULL,
  merchant text NOT NULL CHECK (char_length(merchant) BETWEEN 1 AND 200),
  -- Negative: money out.
  amount_minor bigint NOT NULL,
  currency currency_code NOT NULL,
  category text NOT NULL CHECK (char_length(category) BETWEEN 1 AND 50),
  status text NOT NULL CHECK (status IN ('posted', 'pending'))
);
CREATE INDEX transactions_account_posted_idx ON transactions (account_id, posted_at DESC, id);

-- ---------------------------------------------------------------- tickets and CRM notes

-- Ticket numbers: T-1001, T-1002, ... as src/support/ticket-views.ts numbers them (never below 1001). Importing
-- existing tickets must `setval('ticket_number_seq', <highest number>)` afterwards.
CREATE SEQUENCE ticket_number_seq AS bigint START WITH 1001 MINVALUE 1001;

CREATE TABLE tickets (
  id text PRIMARY KEY DEFAULT ('T-' || nextval('ticket_number_seq')) CHECK (id ~ '^T-[0-9]+$'),
  customer_id record_id REFERENCES customers (id),
  -- Where to answer an anonymous caller.
  contact text CHECK (char_length(contact) <= 254),
  subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
  description text NOT NULL CHECK (char_length(description) <= 20000),
  channel channel_kind NOT NULL,
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  category text NOT NULL CHECK (category IN ('billing', 'card', 'account_access', 'fraud', 'address', 'technical', 'general')),
  sentiment double precision NOT NULL,
  status ticket_status NOT NULL DEFAULT 'open',
  thread_key thread_key,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  first_response_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  UNIQUE (id, customer_id)
);
ALTER SEQUENCE ticket_number_seq OWNED BY tickets.id;
CREATE INDEX tickets_customer_created_idx ON tickets (customer_id, created_at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX tickets_status_created_idx ON tickets (status, created_at DESC);
CREATE INDEX tickets_created_idx ON tickets (created_at DESC);
CREATE INDEX tickets_thread_key_idx ON tickets (thread_key, created_at DESC) WHERE thread_key IS NOT NULL;
-- Rate limit per contact address (anonymous callers), case-insensitive.
CREATE INDEX tickets_contact_created_idx ON tickets (lower(contact), created_at DESC) WHERE contact IS NOT NULL;

CREATE TABLE ticket_messages (
  id record_id PRIMARY KEY,
  -- Order within the ticket (insertion order).
  seq bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
  ticket_id text NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  author_kind actor_kind NOT NULL,
  author_id text NOT NULL CHECK (char_length(author_id) <= 254),
  visibility text NOT NULL CHECK (visibility IN ('public', 'internal')),
  body text NOT NULL CHECK (char_length(body) <= 20000)
);
CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, seq);

CREATE TABLE ticket_history (
  seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  ticket_id text NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  -- NULL: the ticket was created.
  from_status ticket_status,
  to_status ticket_status NOT NULL,
  by_kind actor_kind NOT NULL,
  by_id text NOT NULL CHECK (char_length(by_id) <= 254),
  note text CHECK (char_length(note) <= 2000)
);
CREATE INDEX ticket_history_ticket_idx ON ticket_history (ticket_id, seq);

CREATE TABLE notes (
  id record_id PRIMARY KEY,
  customer_id record_id NOT NULL REFERENCES customers (id),
  author_kind actor_kind NOT NULL,
  author_id text NOT NULL CHECK (char_length(author_id) <= 254),
  body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
  ticket_id text,
  created_at timestamptz NOT NULL,
  -- A note about a ticket is about one of that customer's tickets.
  CONSTRAINT notes_ticket_fkey FOREIGN KEY (ticket_id, customer_id) REFERENCES tickets (id, customer_id)
);
CREATE INDEX notes_customer_created_idx ON notes (customer_id, created_at);
CREATE INDEX notes_ticket_idx ON notes (ticket_id) WHERE ticket_id IS NOT NULL;

-- ---------------------------------------------------------------- approvals, reset tokens, drafts, address changes

CREATE TABLE approvals (
  id record_id PRIMARY KEY,
  customer_id record_id NOT NULL REFERENCES customers (id),
  action text NOT NULL CHECK (action IN ('password_change', 'card_deactivation')),
  card_id record_id,
  -- The customer's words, shown to staff; never a secret.
  reason text NOT NULL CHECK (char_length(reason) <= 2000),
  thread_key thread_key,
  channel channel_kind,
  -- The channel identity of whoever asked (four-eyes check).
  requester_id text CHECK (char_length(requester_id) <= 254),
  requester_email text CHECK (char_length(requester_email) <= 254),
  requester_verification text CHECK (char_length(requester_verification) <= 200),
  requested_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  decided_by_kind actor_kind,
  decided_by_id text CHECK (char_length(decided_by_id) <= 254),
  decided_at timestamptz,
  decision_note text CHECK (char_length(decision_note) <= 2000),
  executed_at timestamptz,
  outcome text CHECK (char_length(outcome) <= 2000),
  staff_message_channel text,
  staff_message_ts text,
  UNIQUE (id, customer_id),
  -- The card is the customer's own.
  CONSTRAINT approvals_card_fkey FOREIGN KEY (card_id, customer_id) REFERENCES cards (id, customer_id),
  CONSTRAINT approvals_card_check CHECK ((action = 'card_deactivation') = (card_id IS NOT NULL)),
  CONSTRAINT approvals_expiry_check CHECK (expires_at >= requested_at),
  CONSTRAINT approvals_requester_check CHECK (requester_id IS NOT NULL OR (requester_email IS NULL AND requester_verification IS NULL)),
  -- One decision: approved/denied carry who decided and when; pending/expired carry neither.
  CONSTRAINT approvals_decision_check CHECK (
    (status IN ('approved', 'denied')) = (decided_at IS NOT NULL)
    AND (decided_at IS NULL) = (decided_by_kind IS NULL)
    AND (decided_at IS NULL) = (decided_by_id IS NULL)
    AND (decision_note IS NULL OR decided_at IS NOT NULL)),
  CONSTRAINT approvals_execution_check CHECK (executed_at IS NULL OR status = 'approved'),
  CONSTRAINT approvals_staff_message_check CHECK ((staff_message_channel IS NULL) = (staff_message_ts IS NULL))
);
CREATE INDEX approvals_status_expiry_idx ON approvals (status, expires_at);
CREATE INDEX approvals_customer_idx ON approvals (customer_id, requested_at);
-- At most one pending request per customer, action and card (a second request gets the first one back).
CREATE UNIQUE INDEX approvals_one_pending_key ON approvals (customer_id, action, coalesce(card_id::text, '')) WHERE status = 'pending';

-- A decided approval stays decided: only pending may change status, a decision is never rewritten, and the
-- action is carried out once. (Decide with `UPDATE ... WHERE id = $1 AND status = 'pending'`: first wins.)
CREATE FUNCTION approvals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'pending'
     AND (NEW.status, NEW.decided_by_kind, NEW.decided_by_id, NEW.decided_at, NEW.decision_note)
         IS DISTINCT FROM (OLD.status, OLD.decided_by_kind, OLD.decided_by_id, OLD.decided_at, OLD.decision_note) THEN
    RAISE EXCEPTION 'approval % is already %', OLD.id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'approvals_decision_final', TABLE = 'approvals';
  END IF;
  IF OLD.executed_at IS NOT NULL AND NEW.executed_at IS DISTINCT FROM OLD.executed_at THEN
    RAISE EXCEPTION 'approval % was already carried out', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'approvals_executed_once', TABLE = 'approvals';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER approvals_guard BEFORE UPDATE ON approvals FOR EACH ROW EXECUTE FUNCTION approvals_guard();

CREATE TABLE reset_tokens (
  id record_id PRIMARY KEY,
  customer_id record_id NOT NULL REFERENCES customers (id),
  -- One reset link per approved password change.
  approval_id record_id NOT NULL UNIQUE,
  email text NOT NULL CHECK (char_length(email) <= 254),
  -- scrypt hash of the token; the token itself is only in the link sent to the customer.
  token_hash text NOT NULL UNIQUE CHECK (char_length(token_hash) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at >= created_at),
  used_at timestamptz,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  CONSTRAINT reset_tokens_approval_fkey FOREIGN KEY (approval_id, customer_id) REFERENCES approvals (id, customer_id)
);
CREATE INDEX reset_tokens_customer_idx ON reset_tokens (customer_id);

CREATE TABLE drafts (
  id record_id PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('ticket_response', 'ticket_status', 'customer_note', 'ticket_create')),
  -- What the support operation will get (never queried).
  input jsonb NOT NULL CHECK (jsonb_typeof(input) = 'object'),
  summary text NOT NULL CHECK (char_length(summary) <= 2000),
  staff_id text NOT NULL CHECK (char_length(staff_id) BETWEEN 1 AND 254),
  thread_key thread_key,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'discarded', 'failed', 'expired')),
  decided_by_kind actor_kind,
  decided_by_id text CHECK (char_length(decided_by_id) <= 254),
  decided_at timestamptz,
  outcome text CHECK (char_length(outcome) <= 2000),
  staff_message_channel text,
  staff_message_ts text,
  -- Claimed (sending) and everything after a person's click carry who and when; pending/expired neither.
  CONSTRAINT drafts_decision_check CHECK (
    (status IN ('sending', 'sent', 'discarded', 'failed')) = (decided_at IS NOT NULL)
    AND (decided_at IS NULL) = (decided_by_kind IS NULL)
    AND (decided_at IS NULL) = (decided_by_id IS NULL)),
  CONSTRAINT drafts_staff_message_check CHECK ((staff_message_channel IS NULL) = (staff_message_ts IS NULL))
);
CREATE INDEX drafts_status_expiry_idx ON drafts (status, expires_at);
CREATE INDEX drafts_staff_idx ON drafts (staff_id, created_at);

-- One Send wins: pending -> sending | discarded | expired, sending -> sent | failed; nothing else moves.
CREATE FUNCTION drafts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('sending', 'discarded', 'expired'))
       OR (OLD.status = 'sending' AND NEW.status IN ('sent', 'failed'))) THEN
    RAISE EXCEPTION 'draft % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'drafts_status_transition', TABLE = 'drafts';
  END IF;
  IF OLD.decided_at IS NOT NULL
     AND (NEW.decided_by_kind, NEW.decided_by_id, NEW.decided_at) IS DISTINCT FROM (OLD.decided_by_kind, OLD.decided_by_id, OLD.decided_at) THEN
    RAISE EXCEPTION 'draft % was already claimed', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'drafts_decision_final', TABLE = 'drafts';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER drafts_guard BEFORE UPDATE ON drafts FOR EACH ROW EXECUTE FUNCTION drafts_guard();

CREATE TABLE address_changes (
  id record_id PRIMARY KEY,
  customer_id record_id NOT NULL REFERENCES customers (id),
  address_line1 text NOT NULL CHECK (char_length(address_line1) BETWEEN 1 AND 200),
  address_line2 text CHECK (char_length(address_line2) <= 200),
  address_city text NOT NULL CHECK (char_length(address_city) BETWEEN 1 AND 100),
  address_region text CHECK (char_length(address_region) <= 100),
  address_postal_code text NOT NULL CHECK (char_length(address_postal_code) BETWEEN 1 AND 20),
  address_country country_code NOT NULL,
  -- scrypt hash of the link's secret; '' when no link was sent.
  token_hash text NOT NULL DEFAULT '' CHECK (char_length(token_hash) <= 500),
  requested_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at >= requested_at),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'superseded')),
  channel channel_kind,
  thread_key thread_key,
  confirmed_at timestamptz,
  confirmed_via text CHECK (confirmed_via IN ('link', 'terminal')),
  superseded_at timestamptz,
  CONSTRAINT address_changes_confirmed_check CHECK (
    (status = 'confirmed') = (confirmed_at IS NOT NULL) AND (confirmed_at IS NULL) = (confirmed_via IS NULL)),
  CONSTRAINT address_changes_superseded_check CHECK ((status = 'superseded') = (superseded_at IS NOT NULL))
);
-- A newer request supersedes the older one: at most one pending change per customer.
CREATE UNIQUE INDEX address_changes_one_pending_key ON address_changes (customer_id) WHERE status = 'pending';
CREATE UNIQUE INDEX address_changes_token_hash_key ON address_changes (token_hash) WHERE token_hash <> '';

-- ---------------------------------------------------------------- conversations, transcripts, inbound ledger

CREATE TABLE conversations (
  thread_key thread_key PRIMARY KEY,
  channel channel_kind NOT NULL,
  caller_kind text NOT NULL CHECK (caller_kind IN ('customer', 'staff', 'anonymous')),
  customer_id record_id REFERENCES customers (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Summary of trimmed older turns.
  summary text CHECK (char_length(summary) <= 20000),
  input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cache_read_tokens bigint NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
  cache_creation_tokens bigint NOT NULL DEFAULT 0 CHECK (cache_creation_tokens >= 0),
  -- Channel-specific thread facts (email subject and ids, Slack channel/ts, applied message ids).
  meta jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(meta) = 'object'),
  CONSTRAINT conversations_customer_check CHECK (caller_kind <> 'customer' OR customer_id IS NOT NULL)
);
CREATE INDEX conversations_customer_idx ON conversations (customer_id, updated_at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX conversations_updated_idx ON conversations (updated_at);

-- The agent's transcript, one row per model message (Anthropic MessageParam); trimming deletes the oldest seqs.
CREATE TABLE transcript_messages (
  thread_key thread_key NOT NULL REFERENCES conversations (thread_key) ON DELETE CASCADE,
  seq bigint NOT NULL CHECK (seq >= 0),
  role text NOT NULL CHECK (role IN ('user', 'assistant')),
  content jsonb NOT NULL,
  PRIMARY KEY (thread_key, seq)
);

-- The processed-message ledger: recorded before any side effect; a redelivery hits the primary key.
CREATE TABLE inbound_ledger (
  id text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 1000),
  -- Arrival order (a restart re-queues waiting messages in this order).
  arrival bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
  thread_key thread_key NOT NULL,
  channel channel_kind NOT NULL,
  received_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('received', 'queued', 'done', 'ignored', 'failed')),
  reason text CHECK (char_length(reason) <= 500),
  updated_at timestamptz NOT NULL,
  -- The pending inbound message (text already redacted) while it waits; dropped once finished.
  message jsonb CHECK (jsonb_typeof(message) = 'object'),
  CONSTRAINT inbound_ledger_message_status_check CHECK (message IS NULL OR status IN ('received', 'queued'))
);
CREATE INDEX inbound_ledger_waiting_idx ON inbound_ledger (arrival) WHERE status IN ('received', 'queued');
CREATE INDEX inbound_ledger_thread_idx ON inbound_ledger (thread_key, arrival);
CREATE INDEX inbound_ledger_finished_idx ON inbound_ledger (updated_at) WHERE status IN ('done', 'ignored', 'failed');

-- ---------------------------------------------------------------- outbox, audit, quarantine

CREATE TABLE outbox (
  id record_id PRIMARY KEY,
  -- Queue order (a thread's mails keep their order).
  seq bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
  channel channel_kind NOT NULL,
  thread_key thread_key NOT NULL,
  -- Promoted from the payload because they are looked up: the inbound message answered and the kind of
  -- reply (duplicate check), our own Message-ID (matching a bounce to its recipient).
  source_id text CHECK (char_length(source_id) <= 1000),
  reply_kind text CHECK (char_length(reply_kind) <= 50),
  message_id text CHECK (char_length(message_id) <= 1000),
  -- The rest of the channel-specific payload (email: to, subject, inReplyTo, references, text, html).
  payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text CHECK (char_length(last_error) <= 2000),
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  -- A sender's claim (`FOR UPDATE SKIP LOCKED`, then locked until the send is recorded or the claim lapses).
  locked_by text,
  locked_until timestamptz,
  CONSTRAINT outbox_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
  CONSTRAINT outbox_lock_check CHECK ((locked_by IS NULL) = (locked_until IS NULL))
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, seq) WHERE status = 'pending';
CREATE INDEX outbox_thread_idx ON outbox (thread_key, seq);
CREATE INDEX outbox_message_id_idx ON outbox (lower(message_id)) WHERE message_id IS NOT NULL;
CREATE INDEX outbox_finished_idx ON outbox (coalesce(sent_at, created_at)) WHERE status <> 'pending';
-- One reply of a kind per inbound message and thread: a retried turn finds the first one.
CREATE UNIQUE INDEX outbox_one_reply_key ON outbox (thread_key, source_id, reply_kind)
  WHERE source_id IS NOT NULL AND reply_kind IS NOT NULL;

CREATE TABLE audit_log (
  id record_id PRIMARY KEY,
  seq bigint GENERATED BY DEFAULT AS IDENTITY UNIQUE,
  at timestamptz NOT NULL,
  actor_kind actor_kind NOT NULL,
  actor_id text NOT NULL CHECK (char_length(actor_id) <= 254),
  action text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 100),
  target text NOT NULL CHECK (char_length(target) <= 200),
  details jsonb CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_target_idx ON audit_log (target, at);

-- The audit trail is append-only (retention may delete old entries, nothing rewrites one).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are never changed'
    USING ERRCODE = 'check_violation', CONSTRAINT = 'audit_log_append_only', TABLE = 'audit_log';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE quarantine (
  id record_id PRIMARY KEY,
  at timestamptz NOT NULL,
  channel channel_kind NOT NULL,
  ref text NOT NULL CHECK (char_length(ref) <= 1000),
  reason text NOT NULL CHECK (char_length(reason) <= 2000),
  details jsonb CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX quarantine_at_idx ON quarantine (at);

-- ---------------------------------------------------------------- email channel state

-- IMAP progress per mailbox: (UIDVALIDITY, last UID), never the \Seen flag.
CREATE TABLE email_mailboxes (
  mailbox text PRIMARY KEY CHECK (mailbox <> ''),
  uid_validity bigint NOT NULL CHECK (uid_validity > 0),
  last_uid bigint NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
  previous_uid_validity bigint,
  updated_at timestamptz NOT NULL
);

-- Message-ID -> decision: the dedupe key across UIDVALIDITY changes and the record of every decision.
CREATE TABLE email_ledger (
  message_id text PRIMARY KEY CHECK (char_length(message_id) BETWEEN 1 AND 1000),
  decision text NOT NULL CHECK (decision IN ('pending', 'replied', 'ignored', 'quarantined', 'budget', 'busy')),
  reason text NOT NULL CHECK (char_length(reason) <= 2000),
  uid bigint NOT NULL CHECK (uid >= 0),
  uid_validity bigint NOT NULL,
  from_address text CHECK (char_length(from_address) <= 254),
  thread_key thread_key,
  at timestamptz NOT NULL
);
CREATE INDEX email_ledger_at_idx ON email_ledger (at);
CREATE INDEX email_ledger_pending_idx ON email_ledger (at) WHERE decision = 'pending';

CREATE TABLE email_threads (
  thread_key thread_key PRIMARY KEY,
  customer_email text NOT NULL CHECK (customer_email = lower(customer_email) AND char_length(customer_email) <= 254),
  subject text NOT NULL CHECK (char_length(subject) <= 1000),
  last_inbound_id text NOT NULL CHECK (char_length(last_inbound_id) <= 1000),
  -- Bounded References chain: the root plus the most recent ids.
  reference_ids text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX email_threads_updated_idx ON email_threads (updated_at);

-- Message-IDs we received or sent -> their thread (threading replies by In-Reply-To / References).
CREATE TABLE email_message_ids (
  message_id text PRIMARY KEY CHECK (message_id ~ '^<.+>$' AND char_length(message_id) <= 1000),
  thread_key thread_key NOT NULL,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  recorded_at timestamptz NOT NULL
);
CREATE INDEX email_message_ids_thread_idx ON email_message_ids (thread_key);
CREATE INDEX email_message_ids_recorded_idx ON email_message_ids (recorded_at);

-- Addresses we do not send to until a time (bounces, SMTP 5xx).
CREATE TABLE email_undeliverable (
  address text PRIMARY KEY CHECK (address = lower(address) AND char_length(address) BETWEEN 1 AND 254),
  blocked_until timestamptz NOT NULL,
  reason text NOT NULL CHECK (char_length(reason) <= 300)
);
CREATE INDEX email_undeliverable_until_idx ON email_undeliverable (blocked_until);

-- Reply budget: one row per reply sent, per sender and per thread, counted over a sliding window.
CREATE TABLE email_reply_budget (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scope text NOT NULL CHECK (scope IN ('sender', 'thread')),
  target text NOT NULL CHECK (char_length(target) BETWEEN 1 AND 1000),
  sent_at timestamptz NOT NULL
);
CREATE INDEX email_reply_budget_target_idx ON email_reply_budget (scope, target, sent_at);
CREATE INDEX email_reply_budget_sent_idx ON email_reply_budget (sent_at);

-- One staff alert per spent budget and window.
CREATE TABLE email_budget_alerts (
  scope text NOT NULL CHECK (scope IN ('sender', 'thread')),
  target text NOT NULL CHECK (char_length(target) BETWEEN 1 AND 1000),
  alerted_until timestamptz NOT NULL,
  PRIMARY KEY (scope, target)
);

-- ---------------------------------------------------------------- leases

-- Work only one instance may do at a time (the IMAP poller, sweepers). Take or renew with
-- `INSERT ... ON CONFLICT (name) DO UPDATE ... WHERE leases.expires_at <= now() OR leases.holder = EXCLUDED.holder`.
CREATE TABLE leases (
  name text PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 200),
  holder text NOT NULL CHECK (char_length(holder) BETWEEN 1 AND 200),
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  CONSTRAINT leases_expiry_check CHECK (expires_at > acquired_at)
);

-- Down Migration

DROP TABLE leases, email_budget_alerts, email_reply_budget, email_undeliverable, email_message_ids, email_threads,
  email_ledger, email_mailboxes, quarantine, audit_log, outbox, inbound_ledger, transcript_messages, conversations,
  address_changes, drafts, reset_tokens, approvals, notes, ticket_history, ticket_messages, tickets, transactions,
  cards, accounts, customers;
DROP FUNCTION audit_log_append_only(), drafts_guard(), approvals_guard();
DROP DOMAIN thread_key, country_code, currency_code, ticket_status, actor_kind, channel_kind, record_id;
