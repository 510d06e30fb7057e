/**
 * One claimed outbox item → one SMTP attempt, and the bookkeeping of its outcome (sent / retry later / failed),
 * each recorded only while this instance still holds the item's claim. The Message-ID is stored before the first
 * attempt (the first writer wins), so every retry, even after a crash or by another instance, reuses it.
 * System mail bodies are scrubbed by the store on the final outcome; a one-time link in one is minted per attempt
 * (`render`) and never stored.
 */
import type { Logger } from '../../../config/logger.js';
import type { StaffNotifier } from '../../../conversations/types.js';
import type { OutboxRecord, Repositories } from '../../../store/repos/index.js';
import { newMessageId } from './compose-reply.js';
import type { SmtpSender } from './smtp-sender.js';

export interface OutboxSendDeps {
  repos: Repositories;
  sender: SmtpSender;
  from: string;
  log: Logger;
  staff?: StaffNotifier | undefined;
  clock: () => Date;
  /** Who holds the claims (this instance). */
  holder: string;
  random: () => number;
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  undeliverableMs: number;
  /**
   * A system mail's text as it leaves (support's `systemMail.render`): its one-time link minted now, for this attempt
   * only, and never written back. Replies go as stored.
   */
  render: (mail: { sourceId?: string | undefined; text: string }) => Promise<string>;
  /** The SMTP server's health as last seen. */
  health: (h: 'ok' | 'failing') => void;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

export function outboxBackoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export function createOutboxSend(deps: OutboxSendDeps): (item: OutboxRecord) => Promise<void> {
  const { repos, sender, log, holder, baseMs, maxMs, maxAttempts, undeliverableMs, random } = deps;
  const alert = (text: string, details: Record<string, unknown>) =>
    deps.staff?.alert(text, details).catch((err: unknown) => log.warn({ err: String(err) }, 'staff alert failed'));
  const lost = (item: OutboxRecord, what: string) => log.warn({ outboxId: item.id }, `outbox claim ended before the ${what} was recorded; the next holder decides`);

  /** Failed for good; `markAddress`: the recipient is not written to for a while either. */
  async function fail(item: OutboxRecord, error: string, markAddress?: string, attempts?: number): Promise<void> {
    const now = deps.clock();
    const written = await repos.transaction(async (tx) => {
      const ok = await tx.outbox.markFailed(item.id, holder, { error, attempts });
      if (ok && markAddress) {
        await tx.emailLimits.markUndeliverable({ address: markAddress.toLowerCase(), until: new Date(now.getTime() + undeliverableMs).toISOString(), reason: error.slice(0, 300) });
      }
      return ok;
    });
    if (!written) lost(item, 'failure');
  }

  return async function sendOne(item: OutboxRecord): Promise<void> {
    const p = item.payload;
    if (!ADDRESS.test(p.to)) {
      log.error({ outboxId: item.id }, 'outbox item has no usable recipient; marked failed');
      await fail(item, 'invalid payload');
      await alert('An outgoing email could not be sent: its outbox item is invalid', { outboxId: item.id });
      return;
    }
    const blocked = await repos.emailLimits.undeliverable(p.to.toLowerCase(), deps.clock().toISOString());
    if (blocked) {
      log.warn({ outboxId: item.id, until: blocked.until }, 'recipient is marked undeliverable; not sending');
      await fail(item, `recipient undeliverable until ${blocked.until}: ${blocked.reason}`);
      return;
    }
    const assigned = p.messageId ? undefined : newMessageId(deps.from);
    const messageId = p.messageId || (await repos.outbox.setMessageId(item.id, assigned as string)) || (assigned as string);
    // Every attempt mints its own link (all stay valid until one is used or they expire: a timed-out attempt may have
    // been delivered); the text with the link exists only here, on its way to SMTP.
    const text = p.kind === 'system' ? await deps.render(p) : p.text;
    const result = await sender.send({
      from: deps.from, to: p.to, subject: p.subject, messageId, inReplyTo: p.inReplyTo,
      references: p.references, text, html: p.html,
      autoSubmitted: p.kind === 'system' ? 'auto-generated' : 'auto-replied',
    });
    const now = deps.clock();
    if (result.ok) {
      deps.health('ok');
      // A reply is indexed when it is queued; an email-thread item whose id is assigned only now is indexed here.
      const index = assigned !== undefined && messageId === assigned && item.threadKey.startsWith('email:');
      const written = await repos.transaction(async (tx) => {
        const ok = await tx.outbox.markSent(item.id, holder, now.toISOString());
        if (ok && index) await tx.email.indexMessageId({ messageId, threadKey: item.threadKey, dir: 'out', at: now.toISOString() });
        return ok;
      });
      if (!written) lost(item, 'sending');
      log.info({ outboxId: item.id, messageId, threadKey: item.threadKey, kind: p.kind }, 'email sent');
      return;
    }
    if (result.permanent) {
      deps.health('ok'); // the server answered; it refused this recipient/message
      log.warn({ outboxId: item.id, responseCode: result.responseCode }, 'email refused permanently; recipient marked undeliverable');
      await fail(item, result.error, p.to);
      await alert('An email was refused by the mail server (5xx); the address is marked undeliverable', { outboxId: item.id, threadKey: item.threadKey, error: result.error });
      return;
    }
    deps.health('failing');
    const attempts = item.attempts + 1;
    const giveUp = attempts >= maxAttempts;
    const next = new Date(now.getTime() + outboxBackoffMs(attempts, baseMs, maxMs, random)).toISOString();
    if (giveUp) await fail(item, result.error, undefined, attempts);
    else if (!(await repos.outbox.retryLater(item.id, holder, { attempts, error: result.error, nextAttemptAt: next }))) lost(item, 'retry');
    log.warn({ outboxId: item.id, attempts, nextAttemptAt: giveUp ? undefined : next, err: result.error }, giveUp ? 'email given up after retries' : 'email send failed; will retry');
    if (giveUp) await alert('An email could not be sent after repeated attempts', { outboxId: item.id, threadKey: item.threadKey, error: result.error });
  };
}
