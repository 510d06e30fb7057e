/**
 * Staff replies reach the customer: every public staff message on a ticket is delivered once, on the customer's
 * channel, and what happened is recorded on the message (`delivery`). Every staff surface (Slack draft Send,
 * `/ticket reply`, the terminal's `reply`) calls `deliver(ticketId)` after the reply is stored; it is the one place
 * that routes, frames and records a staff reply.
 *
 * - The ticket's conversation thread (`threadKey`): into it, through the channel that owns it (Slack thread,
 *   threaded email reply, terminal), as a notice keyed by the message, so a retried delivery is not posted twice.
 * - No thread: an email to the customer's address on file (or the ticket's contact address) when the email channel
 *   runs, subject `Re: [T-…] <subject>`, through the outbox (one mail per message).
 * - Otherwise nothing is sent and the message says so (`undeliverable`): nothing claims a delivery that did not happen.
 *
 * Exactly once: a delivery is claimed by compare-and-set on the message's state (pending → sending) before anything
 * is sent, so two clicks, two calls or two instances deliver it once. A claim left `sending` by an instance that
 * stopped mid-way is taken over after `staleMs`, telling the channel it may already have been delivered.
 */
import type { Logger } from '../config/logger.js';
import type { Repositories } from '../store/repos/index.js';
import type { Ticket, TicketDelivery, TicketMessage } from '../store/schema.js';
import { maskEmail } from '../support/approval-rules.js';
import { deliveryNotice, replyRoute } from '../support/reply-route.js';
import { queueSystemEmail } from '../support/system-email.js';
import { reasonOf } from './reason.js';
import type { ConversationsPort, NotifyOptions, ReplyDelivery } from './types.js';

export interface TicketRepliesDeps {
  repos: Repositories;
  /** Deliver into a conversation thread (conversations' notifyThread). */
  notifyThread(threadKey: string, text: string, opts?: NotifyOptions): Promise<void>;
  /** Whether the email channel runs (a ticket without a thread is answered by email only then). */
  email: boolean;
  now: () => Date;
  log: Logger;
  /** A `sending` claim older than this belongs to an instance that stopped mid-delivery (default 5 minutes). */
  staleMs?: number | undefined;
  /** The sweep leaves replies younger than this to the surface that stored them (default 1 minute). */
  graceMs?: number | undefined;
}

export interface TicketReplies {
  /** Deliver the ticket's public staff replies that wait for delivery; what became of each (none: nothing waited). */
  deliver(ticketId: string): Promise<ReplyDelivery[]>;
  /**
   * Deliver replies left waiting for longer than `graceMs` (a process stopped between storing and delivering one, or
   * one stored by another process such as the stdio MCP server); how many were handled.
   */
  sweep(): Promise<number>;
}

/** The fixed frame around the staff member's words: the model cannot change it (only a person's Send delivers). */
export const replyFrame = (ticketId: string, body: string) => `Reply from our support team on ticket ${ticketId}:\n\n${body}`;

export function createTicketReplies(deps: TicketRepliesDeps): TicketReplies {
  const { repos, log } = deps;
  const staleMs = deps.staleMs ?? 5 * 60_000;
  const graceMs = deps.graceMs ?? 60_000;
  /** Waiting: pending (stored before `before`, when given), or claimed by an instance that stopped. */
  const waiting = (m: TicketMessage, now: number, before: number) =>
    m.visibility === 'public' && m.author.kind === 'staff' && m.delivery !== undefined && Date.parse(m.delivery.at) < before
    && (m.delivery.status === 'pending' || (m.delivery.status === 'sending' && Date.parse(m.delivery.at) + staleMs <= now));

  async function deliverWaiting(ticketId: string, before = Number.POSITIVE_INFINITY): Promise<ReplyDelivery[]> {
    const t = await repos.tickets.get(ticketId);
    if (!t) return [];
    const now = deps.now().getTime();
    const out: ReplyDelivery[] = [];
    for (const m of t.messages.filter((x) => waiting(x, now, before))) {
      const r = await deliverOne(t, m);
      if (r) out.push(r);
    }
    return out;
  }

  /** Delivers along the reply's route and says what to record; throws only when a channel refused it. */
  async function route(t: Ticket, m: TicketMessage, maybeDelivered: boolean): Promise<TicketDelivery> {
    const text = replyFrame(t.id, m.body);
    const at = () => deps.now().toISOString();
    const customer = !t.threadKey && t.customerId ? await repos.customers.get(t.customerId) : undefined;
    const r = replyRoute(t, customer?.email, deps.email);
    switch (r.kind) {
      case 'thread':
        await deps.notifyThread(r.threadKey, text, { sourceId: `ticket-reply:${m.id}`, maybeDelivered });
        // an email thread's reply is in the outbox (sent with retries), not yet at the customer
        return { status: r.channel === 'email' ? 'queued' : 'delivered', at: at(), ...(r.channel ? { channel: r.channel } : {}), threadKey: r.threadKey };
      case 'email':
        await queueSystemEmail(repos, deps.now(), {
          key: `ticket-reply:${m.id}`, to: r.to, subject: `Re: [${t.id}] ${t.subject}`.slice(0, 250),
          text: `${text}\n\nTo answer, reply to this email and mention ${t.id}.\n\n— Helpline support`,
        });
        return { status: 'queued', at: at(), channel: 'email', to: maskEmail(r.to) };
      case 'none':
        return { status: 'undeliverable', at: at(), reason: r.reason };
    }
  }

  async function deliverOne(t: Ticket, m: TicketMessage): Promise<ReplyDelivery | undefined> {
    const was = m.delivery as TicketDelivery;
    const claim: TicketDelivery = { status: 'sending', at: deps.now().toISOString() };
    const won = await repos.tickets.setDelivery(t.id, m.id, claim, was.status === 'pending' ? { status: 'pending' } : { status: 'sending', at: was.at });
    if (!won.won) return undefined; // another click, call or instance has it
    let outcome: TicketDelivery;
    try {
      outcome = await route(t, m, was.status === 'sending');
    } catch (err) {
      outcome = { status: 'failed', at: deps.now().toISOString(), reason: reasonOf(err).slice(0, 500) };
      log.error({ ticketId: t.id, messageId: m.id, err: outcome.reason }, 'staff reply not delivered');
    }
    const done = await repos.tickets.setDelivery(t.id, m.id, outcome, { status: 'sending', at: claim.at });
    if (!done.won) log.warn({ ticketId: t.id, messageId: m.id }, 'staff reply delivery state changed meanwhile; outcome not recorded');
    log.info({ ticketId: t.id, messageId: m.id, status: outcome.status, channel: outcome.channel }, 'staff reply delivery');
    return { ticketId: t.id, messageId: m.id, delivery: outcome, notice: deliveryNotice(t.id, outcome) };
  }

  return {
    deliver: (ticketId) => deliverWaiting(ticketId),
    async sweep() {
      const before = deps.now().getTime() - graceMs;
      const left = await repos.tickets.awaitingDelivery(new Date(before).toISOString(), 100);
      let handled = 0;
      for (const ticketId of new Set(left.map((l) => l.ticketId))) handled += (await deliverWaiting(ticketId, before)).length;
      if (handled > 0) log.info({ handled }, 'staff replies left waiting were delivered');
      return handled;
    },
  };
}

/** What a staff surface tells the person who sent a reply: one line per reply, and whether it reached the customer. */
export interface ReplyOutcome { reached: boolean; text: string }

/**
 * Deliver a ticket's waiting replies for a staff surface (Slack, terminal) and say what happened in plain words.
 * Never throws: a failure to even start delivery is logged and reported as not delivered.
 */
export async function deliverForStaff(port: Pick<ConversationsPort, 'deliverStaffReplies'>, ticketId: string, log: Logger): Promise<ReplyOutcome[]> {
  try {
    const done = await port.deliverStaffReplies(ticketId);
    return done.map((r) => ({ reached: r.delivery.status === 'delivered' || r.delivery.status === 'queued', text: r.notice }));
  } catch (err) {
    log.error({ ticketId, err: reasonOf(err) }, 'staff reply delivery could not start');
    return [{ reached: false, text: `Saved on ${ticketId}, but delivery to the customer could not be started (${reasonOf(err)}). Please contact them another way.` }];
  }
}
