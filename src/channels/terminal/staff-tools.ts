import type { ConnectTools } from '../../conversations/types.js';
import { withTools } from '../../conversations/with-tools.js';
import type { TypedTools } from '../../mcp/index.js';
import type { StaffCaller } from '../../support/caller.js';
import type { Approval, TicketDelivery } from '../../store/schema.js';
import { deliveryShort } from '../../support/reply-route.js';

/** Runs `fn` with the staff tools in a fresh MCP session for `staff` from the terminal, closing it afterwards. */
export function asStaff<R>(connect: ConnectTools, staff: StaffCaller, fn: (tools: TypedTools<'staff'>) => Promise<R>): Promise<R> {
  return withTools(connect, staff, { channel: 'terminal' }, fn);
}

const ACTIONS: Readonly<Record<Approval['action'], string>> = { card_deactivation: 'deactivate card', card_unfreeze: 'unfreeze card', password_change: 'password change' };

export function describeApproval(a: Pick<Approval, 'id' | 'action' | 'customerId' | 'reason' | 'expiresAt' | 'cardId'>): string {
  const what = ACTIONS[a.action] ?? String(a.action);
  const card = a.cardId ? ` (${a.cardId})` : '';
  return `${a.id}  ${what}${card} for ${a.customerId} — "${a.reason}" — expires ${a.expiresAt}`;
}

/** The ticket fields the terminal shows (a staff tool's result, read defensively). */
export interface TicketLines {
  id: string; subject: string; status: string; priority: string; customerId: string | null; contact?: string; customerName?: string;
  messages: ReadonlyArray<{ at: string; author: { kind: string; id: string }; visibility: string; body: string; delivery?: TicketDelivery | undefined }>;
}

/** A ticket for the terminal: a header, then each message with, for staff replies, whether it reached the customer. */
export function describeTicket(t: TicketLines): string[] {
  const who = t.customerName ?? t.customerId ?? t.contact ?? 'no customer';
  const out = [`${t.id} [${t.status}, ${t.priority}] ${t.subject} — ${who}`];
  for (const m of t.messages) {
    const delivery = m.delivery ? `  [${deliveryShort(m.delivery)}, ${m.delivery.at}]` : '';
    out.push(`  ${m.at} ${m.author.kind === 'staff' ? `staff ${m.author.id}` : m.author.kind}${m.visibility === 'internal' ? ' (internal)' : ''}: ${m.body}${delivery}`);
  }
  return out;
}
