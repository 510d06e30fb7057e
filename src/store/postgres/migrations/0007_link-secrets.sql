-- Up Migration
--
-- Helpline schema 7: one-time link secrets are minted when their mail leaves (src/support/link-mint.ts), never
-- written to the database in clear. A reset token or address change keeps the scrypt hashes of every link minted
-- for it (a send attempt or a dev mailbox view mints one), in mint order: a link names its hash's position. Every
-- one of them works until the token is used or expires (src/store/schema.ts MAX_LINK_SECRETS bounds them).
-- The single hash of a record written before becomes its first (old links, position 0, keep working).

ALTER TABLE reset_tokens ADD COLUMN token_hashes text[] NOT NULL DEFAULT '{}';
UPDATE reset_tokens SET token_hashes = ARRAY[token_hash];
ALTER TABLE reset_tokens DROP COLUMN token_hash;
ALTER TABLE reset_tokens ADD CONSTRAINT reset_tokens_token_hashes_check CHECK (
  cardinality(token_hashes) <= 50 AND array_position(token_hashes, NULL) IS NULL);

ALTER TABLE address_changes ADD COLUMN token_hashes text[] NOT NULL DEFAULT '{}';
UPDATE address_changes SET token_hashes = ARRAY[token_hash] WHERE token_hash <> '';
ALTER TABLE address_changes DROP COLUMN token_hash;
ALTER TABLE address_changes ADD CONSTRAINT address_changes_token_hashes_check CHECK (
  cardinality(token_hashes) <= 50 AND array_position(token_hashes, NULL) IS NULL);

-- Down Migration

ALTER TABLE address_changes ADD COLUMN token_hash text NOT NULL DEFAULT '' CHECK (char_length(token_hash) <= 500);
UPDATE address_changes SET token_hash = coalesce(token_hashes[1], '');
ALTER TABLE address_changes DROP COLUMN token_hashes;

ALTER TABLE reset_tokens ADD COLUMN token_hash text;
-- A token with no minted link gets a hash nothing matches (the column is never empty).
UPDATE reset_tokens SET token_hash = coalesce(token_hashes[1], 'none$' || id);
ALTER TABLE reset_tokens ALTER COLUMN token_hash SET NOT NULL,
  ADD CONSTRAINT reset_tokens_token_hash_check CHECK (char_length(token_hash) BETWEEN 1 AND 500);
ALTER TABLE reset_tokens DROP COLUMN token_hashes;
