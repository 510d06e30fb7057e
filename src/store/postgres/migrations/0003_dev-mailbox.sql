-- Up Migration
--
-- Helpline schema 3: the local dev mailbox. With no SMTP server configured (and outside production), system mail
-- (password-reset and address-confirmation links) is put in a dev mailbox the person can read instead of being
-- sent: the outbox item gets status 'dev' (never sent; `sent_at` says when it reached the dev mailbox) and keeps
-- its body until its one-time link is used, when the body is scrubbed (OutboxRepository.markDev / scrubDev).

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'dev'));
ALTER TABLE outbox DROP CONSTRAINT outbox_sent_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_sent_check CHECK ((status IN ('sent', 'dev')) = (sent_at IS NOT NULL));
-- The dev mailbox page lists newest first.
CREATE INDEX outbox_dev_idx ON outbox (sent_at DESC, seq DESC) WHERE status = 'dev';

-- Down Migration

DROP INDEX outbox_dev_idx;
DELETE FROM outbox WHERE status = 'dev';
ALTER TABLE outbox DROP CONSTRAINT outbox_sent_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL));
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed'));
