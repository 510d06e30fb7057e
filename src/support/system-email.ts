import type { Db, OutboxItem } from '../store/schema.js';
import { newId } from './ids.js';

/**
 * Queue an email from the bank to a customer's address on file (password-reset links, account-change notices).
 * It goes into the store's outbox inside the caller's update, so it is sent exactly when the change is durable;
 * the email channel's outbox worker delivers `kind: 'system'` items.
 */
export function queueSystemEmail(db: Db, now: Date, mail: { key: string; to: string; subject: string; text: string }): OutboxItem {
  const item: OutboxItem = {
    id: newId('out'),
    channel: 'email',
    threadKey: `system:${mail.key}`,
    payload: { kind: 'system', to: mail.to, subject: mail.subject, text: mail.text },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now.toISOString(),
    createdAt: now.toISOString(),
  };
  db.outbox.push(item);
  return item;
}
