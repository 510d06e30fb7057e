import { randomBytes } from 'node:crypto';
import type { Conversation } from '../../store/schema.js';
import { WebError } from './errors.js';
import type { WebPrincipal } from './auth.js';

/**
 * Web thread keys: `web:<customer id>:<thread id>` for a customer, `web:anon:<thread id>` for an anonymous visitor.
 * The key is always built from the authenticated principal, so a customer can address only their own web threads;
 * an anonymous visitor's thread id (128 random bits) is the capability to continue it.
 * A customer's thread on another channel is addressed by `x.<base64url of its key>` and only when the stored
 * conversation is that customer's.
 */
const WEB_ID = /^th_[0-9a-f]{32}$/;
const FOREIGN_ID = /^x\.[A-Za-z0-9_-]{1,700}$/;

export const newThreadId = () => `th_${randomBytes(16).toString('hex')}`;
const keyOf = (who: string, threadId: string) => `web:${who}:${threadId}`;

function owner(p: WebPrincipal): string {
  if (p.kind === 'customer') return p.customerId;
  if (p.kind === 'anonymous') return 'anon';
  throw new WebError('bad_request', 'An API key chats only for a customer: name one in X-Helpline-Customer.');
}

/** The web thread key of a thread id for this principal (a web thread the message may go to). */
export function webThreadKey(p: WebPrincipal, threadId: string): string {
  const who = owner(p);
  if (!WEB_ID.test(threadId)) throw new WebError(FOREIGN_ID.test(threadId) ? 'forbidden' : 'not_found', FOREIGN_ID.test(threadId) ? 'Messages go to web threads only.' : 'No such thread.');
  return keyOf(who, threadId);
}

/** A new web thread of a customer an in-process caller vouches for (the library's sessions): its id and key. */
export function newCustomerThread(customerId: string): { threadId: string; threadKey: string } {
  const threadId = newThreadId();
  return { threadId, threadKey: keyOf(customerId, threadId) };
}

/** The API's id of a thread key (web threads: their thread id; others: `x.` + base64url). */
export function threadIdOf(threadKey: string): string {
  const m = /^web:[^:]+:(th_[0-9a-f]{32})$/.exec(threadKey);
  return m?.[1] ?? `x.${Buffer.from(threadKey).toString('base64url')}`;
}

/** The thread key a principal may read under this id; `not_found` for anything else. */
export function readableThreadKey(p: WebPrincipal, threadId: string): { threadKey: string; mustOwn: boolean } {
  if (WEB_ID.test(threadId)) return { threadKey: webThreadKey(p, threadId), mustOwn: false };
  if (p.kind === 'customer' && FOREIGN_ID.test(threadId)) return { threadKey: Buffer.from(threadId.slice(2), 'base64url').toString('utf8'), mustOwn: true };
  throw new WebError('not_found', 'No such thread.');
}

export function ownedBy(p: WebPrincipal, c: Conversation): boolean {
  return p.kind === 'customer' && c.callerKind === 'customer' && c.customerId === p.customerId;
}

export interface HistoryEntry {
  role: 'customer' | 'assistant' | 'notice';
  text: string;
}

const NOTICE = '[System notice]';

/** What a person sees of a transcript: their messages, the assistant's words and notices; never tool calls or tool data. */
export function historyOf(messages: readonly unknown[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const m of messages) {
    const msg = m as { role?: string; content?: unknown };
    const blocks = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : Array.isArray(msg.content) ? (msg.content as Array<{ type?: string; text?: unknown }>) : [];
    const texts = blocks.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);
    if (msg.role === 'assistant') {
      const text = texts.join('\n').trim();
      if (text) out.push({ role: 'assistant', text });
      continue;
    }
    for (const t of texts) {
      if (t.startsWith(NOTICE)) out.push({ role: 'notice', text: t.slice(NOTICE.length).trim() });
      else if (t.trim()) out.push({ role: 'customer', text: t });
    }
  }
  return out;
}
