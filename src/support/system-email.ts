import type { OutboxRecord, Repositories } from '../store/repos/index.js';
import { newId } from './ids.js';

/**
 * Queue an email from the bank to a customer's address on file (password-reset links, account-change notices).
 * Call it with the transaction's `tx`: the mail is in the outbox exactly when the change it reports commits; the
 * email channel's outbox worker delivers `kind: 'system'` items. `key` names the mail (e.g. `password-reset:apr_…`):
 * the outbox keeps one mail per key, so queueing the same key twice queues it once.
 */
export async function queueSystemEmail(
  repos: Pick<Repositories, 'outbox'>, now: Date, mail: { key: string; to: string; subject: string; text: string },
): Promise<OutboxRecord> {
  const at = now.toISOString();
  const { item } = await repos.outbox.enqueue({
    id: newId('out'),
    threadKey: `system:${mail.key}`,
    payload: { kind: 'system', to: mail.to, subject: mail.subject, text: mail.text, sourceId: mail.key, replyKind: 'system' },
    nextAttemptAt: at,
    createdAt: at,
  });
  return item;
}
