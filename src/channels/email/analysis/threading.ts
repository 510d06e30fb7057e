/**
 * Which conversation a message belongs to. In-Reply-To / References are looked up against Message-IDs we received
 * or sent; then a `[T-1001]` / `[#T-1001]` ticket token in the subject. Either only counts when the sender is the
 * thread's customer (case-insensitive) AND the sender is verified (DESIGN.md: "only for the same verified sender"),
 * so nobody can join someone else's conversation — and see its history — by copying headers or a subject, or by
 * forging the From address. Otherwise the message starts a new thread keyed by its own Message-ID.
 */
export interface ThreadRef {
  threadKey: string;
  customerEmail: string;
}

export interface ThreadLookupPort {
  threadForMessageIds(ids: string[]): Promise<ThreadRef | undefined>;
  threadForTicket(ticketId: string): Promise<ThreadRef | undefined>;
}

export interface ThreadingInput {
  senderAddress: string;
  senderVerified: boolean;
  messageId: string;
  inReplyTo?: string | undefined;
  references: string[];
  subject: string;
}

export interface ThreadDecision {
  threadKey: string;
  via: 'headers' | 'ticket' | 'new';
  /** Set when a match was found but refused because the sender differs. */
  refused?: 'headers' | 'ticket' | 'unverified';
}

const TICKET_TOKEN = /\[#?(T-\d{1,12})\]/iu;

export function ticketIdFromSubject(subject: string): string | undefined {
  const m = subject.slice(0, 1000).match(TICKET_TOKEN);
  return m?.[1] ? m[1].toUpperCase() : undefined;
}

export function newThreadKey(messageId: string): string {
  return `email:${messageId}`;
}

export async function resolveThread(input: ThreadingInput, lookup: ThreadLookupPort): Promise<ThreadDecision> {
  const sender = input.senderAddress.trim().toLowerCase();
  const sameSender = (ref: ThreadRef) => sender !== '' && ref.customerEmail.trim().toLowerCase() === sender;
  const ticketId = ticketIdFromSubject(input.subject);
  const ids = [...(input.inReplyTo ? [input.inReplyTo] : []), ...[...input.references].reverse()].filter((id, i, all) => all.indexOf(id) === i);
  if (!input.senderVerified) {
    const wouldMatch = ids.length > 0 || ticketId !== undefined;
    return { threadKey: newThreadKey(input.messageId), via: 'new', ...(wouldMatch ? { refused: 'unverified' as const } : {}) };
  }
  let refused: ThreadDecision['refused'];
  // Most recent first: In-Reply-To, then References from the end.
  if (ids.length > 0) {
    const ref = await lookup.threadForMessageIds(ids);
    if (ref && sameSender(ref)) return { threadKey: ref.threadKey, via: 'headers' };
    if (ref) refused = 'headers';
  }
  if (ticketId) {
    const ref = await lookup.threadForTicket(ticketId);
    if (ref && sameSender(ref)) return { threadKey: ref.threadKey, via: 'ticket' };
    if (ref) refused = refused ?? 'ticket';
  }
  return { threadKey: newThreadKey(input.messageId), via: 'new', ...(refused ? { refused } : {}) };
}
