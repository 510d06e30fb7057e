import type { OutboxRecord, Repositories } from '../store/repos/index.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';

/** The outbox thread key of the system mail named `key`. */
export const systemThreadKey = (key: string): string => `system:${key}`;

/**
 * Queue an email from the bank to a customer's address on file (password-reset links, account-change notices).
 * Call it with the transaction's `tx`: the mail is in the outbox exactly when the change it reports commits; the
 * email channel's outbox worker delivers `kind: 'system'` items (with no mail server, the dev mailbox worker puts them
 * in the local dev mailbox instead). `key` names the mail (e.g. `password-reset:apr_…`):
 * the outbox keeps one mail per key, so queueing the same key twice queues it once.
 */
export async function queueSystemEmail(
  repos: Pick<Repositories, 'outbox'>, now: Date, mail: { key: string; to: string; subject: string; text: string },
): Promise<OutboxRecord> {
  const at = now.toISOString();
  const { item } = await repos.outbox.enqueue({
    id: newId('out'),
    threadKey: systemThreadKey(mail.key),
    payload: { kind: 'system', to: mail.to, subject: mail.subject, text: mail.text, sourceId: mail.key, replyKind: 'system' },
    nextAttemptAt: at,
    createdAt: at,
  });
  return item;
}

/**
 * The one-time link of the system mail `key` was just used: where that mail went to the local dev mailbox (no SMTP),
 * its body (the link, in clear) is scrubbed there, in the same transaction as the use. Mail really sent was
 * scrubbed by the outbox when it went out.
 */
export async function scrubUsedLink(repos: Pick<Repositories, 'outbox'>, key: string): Promise<void> {
  await repos.outbox.scrubDev(systemThreadKey(key));
}

/** The dev mailbox page, where system mail goes when no mail server is configured (outside production). */
export const devMailboxUrl = (ctx: Pick<SupportContext, 'publicBaseUrl'>): string => `${ctx.publicBaseUrl}/dev/mailbox`;

/** Said wherever a link went to the dev mailbox: nothing claims a mail was sent that was not. */
export const NOT_EMAILED = 'no mail server is configured, so nothing was emailed';
