import type { OutboxRecord, Repositories } from '../store/repos/index.js';
import type { Ticket, TicketDelivery, TicketMessage } from '../store/schema.js';
import { systemThreadKey } from './system-email.js';

/**
 * A staff reply that goes by email is recorded `queued` when it is handed to the outbox; the outbox then sends it
 * (with retries) or gives up. A staff view shows what became of it: delivered when the mail went out, failed (with
 * the reason) when the outbox gave up, still queued while it waits or once the outbox row has been pruned.
 */
export async function withMailOutcomes(repos: Pick<Repositories, 'outbox'>, ticket: Ticket): Promise<Ticket> {
  const messages = await Promise.all(ticket.messages.map(async (m) => {
    if (m.delivery?.status !== 'queued' || m.delivery.channel !== 'email') return m;
    const mail = await mailOf(repos, m);
    const delivery = mail ? outcome(m.delivery, mail) : undefined;
    return delivery ? { ...m, delivery } : m;
  }));
  return { ...ticket, messages };
}

/** The outbox item that carries reply `m`: a notice in the customer's email thread, or a mail to their address. */
function mailOf(repos: Pick<Repositories, 'outbox'>, m: TicketMessage): Promise<OutboxRecord | undefined> {
  const key = `ticket-reply:${m.id}`;
  return m.delivery?.threadKey ? repos.outbox.findReply(m.delivery.threadKey, key, 'notice') : repos.outbox.findReply(systemThreadKey(key), key, 'system');
}

function outcome(d: TicketDelivery, mail: OutboxRecord): TicketDelivery | undefined {
  if (mail.status === 'sent') return { ...d, status: 'delivered', at: mail.sentAt ?? d.at };
  if (mail.status === 'failed') return { ...d, status: 'failed', reason: (mail.lastError ?? 'the mail server refused it').slice(0, 500) };
  return undefined;
}
