/**
 * Rows whose write erases a one-time secret that an earlier version of the same row held. Today: a system mail
 * (its body may carry a password-reset or address-confirmation link) reaching its final outcome, when the outbox
 * scrubs its body (`SCRUBBED_SYSTEM_TEXT`). The row as it is now holds no secret, but the journal line, document or
 * backup written while the mail was pending still does: the writer turns a commit carrying such a row into a full
 * rewrite (which deletes the journal) and refreshes the backup, so no earlier version is left on disk (writer.ts).
 */
import type { OutboxRecord } from '../repos/outbox.js';
import type { TableName } from './document.js';

export function erasesSecret(table: TableName, row: unknown): boolean {
  if (table !== 'outbox') return false;
  const item = row as OutboxRecord;
  return item.payload.kind === 'system' && item.status !== 'pending';
}
