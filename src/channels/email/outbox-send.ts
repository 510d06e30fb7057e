/**
 * One outbox item → one SMTP attempt, and the bookkeeping of its outcome (sent / retry later / failed).
 * The Message-ID is made durable before the first attempt, so every retry (even after a crash) reuses it.
 */
import type { Logger } from '../../config/logger.js';
import type { StaffNotifier } from '../../conversations/types.js';
import type { Db, OutboxItem } from '../../store/schema.js';
import type { Store } from '../../store/types.js';
import { newMessageId } from './compose-reply.js';
import { indexGet, indexSet, markUndeliverable, undeliverableUntil } from './email-state.js';
import { createOutboxIndex, type OutboxIndex } from './outbox-index.js';
import type { SmtpSender } from './smtp-sender.js';

export interface OutboxSendDeps {
  store: Store;
  sender: SmtpSender;
  from: string;
  log: Logger;
  staff?: StaffNotifier | undefined;
  clock: () => Date;
  random: () => number;
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  undeliverableMs: number;
  /** The SMTP server's health as last seen. */
  health: (h: 'ok' | 'failing') => void;
  /** Positions of outbox items (default: its own). */
  index?: OutboxIndex | undefined;
}

interface Payload { kind: string; to: string; subject: string; text: string; html?: string | undefined; messageId?: string | undefined; inReplyTo?: string | undefined; references?: string[] | undefined }

function readPayload(p: Record<string, unknown>): Payload | undefined {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const to = str(p.to);
  const subject = str(p.subject);
  const text = str(p.text);
  if (!to || !/^[^\s@<>]+@[^\s@<>]+$/.test(to) || subject === undefined || text === undefined) return undefined;
  const refs = Array.isArray(p.references) ? p.references.filter((r): r is string => typeof r === 'string') : undefined;
  return { kind: str(p.kind) ?? 'reply', to, subject, text, html: str(p.html), messageId: str(p.messageId), inReplyTo: str(p.inReplyTo), references: refs };
}

export function outboxBackoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export function createOutboxSend(deps: OutboxSendDeps): (item: OutboxItem) => Promise<void> {
  const { store, sender, log, baseMs, maxMs, maxAttempts, undeliverableMs, random } = deps;
  const index = deps.index ?? createOutboxIndex();
  /**
   * The outbox item `id` as seen through the update's view `db`, found in the live array through the index:
   * the view wraps every element it hands out, and the outbox holds a month of mail.
   */
  const itemIn = (db: Db, id: string): OutboxItem | undefined => {
    const i = index.position(store.read(), id);
    const it = i < 0 ? undefined : db.outbox[i];
    return it && it.id === id ? it : undefined;
  };
  const alert = (text: string, details: Record<string, unknown>) =>
    deps.staff?.alert(text, details).catch((err: unknown) => log.warn({ err: String(err) }, 'staff alert failed'));

  async function fail(id: string, reason: string, markAddress?: string): Promise<void> {
    const now = deps.clock();
    await store.update((db) => {
      const it = itemIn(db, id);
      if (it?.status !== 'pending') return;
      it.status = 'failed';
      it.lastError = reason.slice(0, 2000);
      scrubSystemBody(it, 'not sent');
      if (markAddress) markUndeliverable(db, markAddress, reason, now, undeliverableMs);
    });
  }

  async function sendOne(item: OutboxItem): Promise<void> {
    const payload = readPayload(item.payload);
    if (!payload) {
      log.error({ outboxId: item.id }, 'outbox item has no usable recipient/subject/text; marked failed');
      await fail(item.id, 'invalid payload');
      await alert('An outgoing email could not be sent: its outbox item is invalid', { outboxId: item.id });
      return;
    }
    const blocked = undeliverableUntil(store.read(), payload.to, deps.clock());
    if (blocked) {
      log.warn({ outboxId: item.id, until: blocked.until }, 'recipient is marked undeliverable; not sending');
      await fail(item.id, `recipient undeliverable until ${blocked.until}: ${blocked.reason}`);
      return;
    }
    let messageId = payload.messageId;
    if (!messageId) {
      const fresh = newMessageId(deps.from);
      // Durable before the first attempt, so a retry after a crash reuses it.
      messageId = await store.update((db) => {
        const it = itemIn(db, item.id);
        if (!it) return fresh;
        const cur = it.payload.messageId;
        if (typeof cur === 'string' && cur) return cur;
        it.payload.messageId = fresh;
        return fresh;
      });
    }
    const result = await sender.send({
      from: deps.from, to: payload.to, subject: payload.subject, messageId, inReplyTo: payload.inReplyTo,
      references: payload.references, text: payload.text, html: payload.html,
      autoSubmitted: payload.kind === 'system' ? 'auto-generated' : 'auto-replied',
    });
    const now = deps.clock();
    if (result.ok) {
      deps.health('ok');
      // Not awaited: the next mail need not wait for this record. A crash before it is on disk resends this
      // mail once, with the same Message-ID (the documented SMTP window); a failed write surfaces on the next.
      const recorded = store.update((db) => {
        const it = itemIn(db, item.id);
        if (!it) return;
        it.status = 'sent';
        it.attempts += 1;
        it.sentAt = now.toISOString();
        delete it.lastError;
        // A reply was indexed when it was queued; rewrite the index shard only for mail that was not (system mail, older items).
        if (it.threadKey.startsWith('email:')) {
          const had = indexGet(store.read(), messageId);
          if (had?.threadKey !== it.threadKey || had.dir !== 'out') indexSet(db, messageId, { threadKey: it.threadKey, dir: 'out' });
        }
        scrubSystemBody(it, 'sent');
      });
      recorded.catch((err: unknown) => log.error({ outboxId: item.id, err: String(err) }, 'email sent, but recording it failed; it is written with the next store update'));
      log.info({ outboxId: item.id, messageId, threadKey: item.threadKey, kind: payload.kind }, 'email sent');
      return;
    }
    if (result.permanent) {
      deps.health('ok'); // the server answered; it refused this recipient/message
      log.warn({ outboxId: item.id, responseCode: result.responseCode }, 'email refused permanently; recipient marked undeliverable');
      await fail(item.id, result.error, payload.to);
      await alert('An email was refused by the mail server (5xx); the address is marked undeliverable', { outboxId: item.id, threadKey: item.threadKey, error: result.error });
      return;
    }
    deps.health('failing');
    const attempts = item.attempts + 1;
    const giveUp = attempts >= maxAttempts;
    const next = new Date(now.getTime() + outboxBackoffMs(attempts, baseMs, maxMs, random)).toISOString();
    await store.update((db) => {
      const it = itemIn(db, item.id);
      if (it?.status !== 'pending') return;
      it.attempts = attempts;
      it.lastError = result.error;
      if (giveUp) it.status = 'failed';
      else it.nextAttemptAt = next;
    });
    log.warn({ outboxId: item.id, attempts, nextAttemptAt: giveUp ? undefined : next, err: result.error }, giveUp ? 'email given up after retries' : 'email send failed; will retry');
    if (giveUp) await alert('An email could not be sent after repeated attempts', { outboxId: item.id, threadKey: item.threadKey, error: result.error });
  }

  return sendOne;
}

/** System mail (password-reset links, account notices) may carry a one-time link: once final, keep no body on disk. */
function scrubSystemBody(item: OutboxItem, outcome: 'sent' | 'not sent'): void {
  if (item.payload['kind'] !== 'system') return;
  item.payload['text'] = `[${outcome}; body removed: system mail may carry a one-time link]`;
  delete item.payload['html'];
}
