import type { Channel, Ticket, TicketDelivery } from '../store/schema.js';
import { maskEmail } from './approval-rules.js';

/**
 * Where a public staff reply on a ticket goes (conversations delivers it; staff cards say it before Send):
 * the ticket's conversation thread; else an email to the customer's address on file (or the ticket's contact
 * address) when the email channel runs; else nowhere, and why.
 */
export type ReplyRoute =
  | { kind: 'thread'; threadKey: string; channel: Channel | undefined }
  | { kind: 'email'; to: string }
  | { kind: 'none'; reason: string };

const CHANNELS: Record<string, Channel> = { slack: 'slack', email: 'email', terminal: 'terminal' };

export function replyRoute(ticket: Pick<Ticket, 'threadKey' | 'contact'>, customerEmail: string | undefined, emailEnabled: boolean): ReplyRoute {
  if (ticket.threadKey) {
    const prefix = ticket.threadKey.slice(0, Math.max(0, ticket.threadKey.indexOf(':')));
    return { kind: 'thread', threadKey: ticket.threadKey, channel: CHANNELS[prefix] };
  }
  const to = customerEmail ?? ticket.contact;
  if (!to) return { kind: 'none', reason: 'no conversation and no email address' };
  if (!emailEnabled) return { kind: 'none', reason: 'no conversation, and email is not configured' };
  return { kind: 'email', to };
}

const PLACE: Partial<Record<Channel, string>> = { slack: 'their Slack thread', email: 'their email thread', terminal: 'their terminal chat' };
const placeOf = (channel: Channel | undefined) => (channel && PLACE[channel]) ?? 'their conversation';

/** Where it goes, in words for staff ("their Slack thread", "email to a…@example.com"); undefined when nowhere. */
export function routeLabel(route: ReplyRoute): string | undefined {
  if (route.kind === 'thread') return placeOf(route.channel);
  if (route.kind === 'email') return `email to ${maskEmail(route.to)}`;
  return undefined;
}

/** One sentence for the staff member who sent a reply: where it went, or that it did not reach the customer and why. */
export function deliveryNotice(ticketId: string, d: TicketDelivery): string {
  switch (d.status) {
    case 'delivered': return `Sent to the customer in ${placeOf(d.channel)}.`;
    case 'queued': return d.to ? `Emailed to the customer at ${d.to} (queued for sending).` : `Sent to the customer in ${placeOf('email')} (queued for sending).`;
    case 'undeliverable': return `Saved on ${ticketId}, but the customer has no channel to receive it (${d.reason ?? 'no channel'}). Please contact them another way.`;
    case 'failed': return `Saved on ${ticketId}, but it could not be delivered to the customer (${d.reason ?? 'delivery failed'}). Please contact them another way.`;
    case 'pending':
    case 'sending': return `Saved on ${ticketId}; delivery to the customer has not finished yet.`;
  }
}

/** A message's delivery state in a few words, for ticket views (times left to the view). */
export function deliveryShort(d: TicketDelivery): string {
  switch (d.status) {
    case 'delivered': return d.to ? `emailed to ${d.to}` : `delivered to ${placeOf(d.channel)}`;
    case 'queued': return d.to ? `emailed to ${d.to} (queued)` : `emailed in ${placeOf('email')} (queued)`;
    case 'undeliverable': return `NOT delivered: ${d.reason ?? 'no channel'}`;
    case 'failed': return `NOT delivered, failed: ${d.reason ?? 'unknown'}`;
    case 'pending':
    case 'sending': return 'delivery pending';
  }
}
