import { decodeJwt } from 'jose';
import type { ConversationsPort, InboundMessage } from '../../conversations/types.js';
import type { ConversationRepository } from '../../store/repos/index.js';
import type { WebAuth, WebPrincipal } from './auth.js';
import { WebError } from './errors.js';
import { ownedBy, readableThreadKey, webThreadKey } from './threads.js';

const VISITOR = 'web-visitor';

/** The principal of a chat request: a customer or an anonymous visitor (an API key alone chats for nobody). */
export async function chatterOf(auth: WebAuth, headers: Parameters<WebAuth['principal']>[0]): Promise<WebPrincipal> {
  const p = await auth.principal(headers);
  if (p.kind === 'backend') throw new WebError('bad_request', 'An API key chats only for a customer: name one in X-Helpline-Customer.');
  return p;
}

/**
 * The thread key a principal may read (history, live events) under a thread id: its own web thread (the key is built
 * from the principal), or one of a customer's threads on another channel that the store says is theirs.
 * `not_found` for anything else.
 */
export async function readableThread(p: WebPrincipal, threadId: string, store: Pick<ConversationRepository, 'get'>) {
  const { threadKey, mustOwn } = readableThreadKey(p, threadId);
  const conversation = await store.get(threadKey);
  if (mustOwn && (!conversation || !ownedBy(p, conversation))) throw new WebError('not_found', 'No such thread.');
  return { threadKey, conversation };
}

/**
 * The customer a token names, where a browser cannot send headers (the socket's auth frame, an EventSource URL):
 * only a short-lived customer token, never an API key (keys belong to backends, which use headers).
 */
export async function tokenPrincipal(auth: WebAuth, token: string): Promise<WebPrincipal> {
  if (token.startsWith('hlk_')) throw new WebError('unauthorized', 'API keys are not accepted here: a backend uses the REST API with headers.');
  return auth.principal({ authorization: `Bearer ${token}` });
}

/**
 * When a connection opened with a customer token must end (its `exp`, in ms): a live connection does not outlive the
 * token it was opened with; the client reconnects with a fresh token and resumes after its last event id.
 * Only for a token `tokenPrincipal` (or `principal`) accepted already; undefined for anything else.
 */
export function tokenExpiry(token: string | undefined): number | undefined {
  if (token === undefined || token.startsWith('hlk_')) return undefined;
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `end` when a connection's token expires (never for an API key or an anonymous visitor); returns the cancel. */
export function endAtExpiry(token: string | undefined, now: Date, end: () => void): () => void {
  const at = tokenExpiry(token);
  if (at === undefined) return () => {};
  // setTimeout holds at most ~24.8 days; tokens live minutes.
  const timer = setTimeout(end, Math.min(Math.max(0, at - now.getTime()), 2 ** 31 - 1));
  timer.unref();
  return () => clearTimeout(timer);
}

/** The inbound message a principal sends to one of its web threads; its id makes a retry (same clientMessageId) a duplicate. */
export function inboundOf(p: WebPrincipal, threadId: string, body: { clientMessageId: string; text: string }, now: Date): InboundMessage {
  const threadKey = webThreadKey(p, threadId);
  return {
    id: `${threadKey}:${body.clientMessageId}`, channel: 'web', threadKey, text: body.text, receivedAt: now.toISOString(),
    sender: p.kind === 'customer' ? { id: p.customerId, verified: true } : { id: VISITOR, verified: false },
  };
}

/** Hand a message to conversations; `unavailable` while it shuts down. */
export async function handOver(conversations: ConversationsPort, msg: InboundMessage) {
  const result = await conversations.handle(msg);
  if (!result.accepted && result.reason === 'stopped') throw new WebError('unavailable', 'The assistant is shutting down; send the message again shortly.');
  return result;
}
