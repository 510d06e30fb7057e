import type { ConnectTools } from '../../conversations/types.js';
import { toolFailureOf } from '../../mcp/index.js';
import type { Caller } from '../../support/caller.js';
import type { Approval, Ticket } from '../../store/schema.js';
import { deliveryShort } from '../../support/reply-route.js';

/** A tool result, read defensively (the MCP client returns `unknown` through the ToolClient port). */
interface ToolOutcome { ok: boolean; text: string; data: Record<string, unknown> }

function readResult(raw: unknown): ToolOutcome {
  const r = (raw ?? {}) as { isError?: unknown; content?: unknown; structuredContent?: unknown };
  const content = Array.isArray(r.content) ? r.content : [];
  const text = content
    .map((c) => (c && typeof c === 'object' && (c as { type?: unknown }).type === 'text' ? String((c as { text?: unknown }).text ?? '') : ''))
    .filter(Boolean)
    .join('\n');
  const data = r.structuredContent && typeof r.structuredContent === 'object' ? (r.structuredContent as Record<string, unknown>) : {};
  // Our tools' failures are typed: staff read the plain message, not the "tool failed (code)" text made for a model.
  const failure = toolFailureOf(raw);
  return { ok: r.isError !== true, text: failure ? failure.message : text, data };
}

/** Calls one tool in a fresh MCP session for `caller`, closing it afterwards. */
export async function callAs(connect: ConnectTools, caller: Caller, name: string, args: Record<string, unknown>): Promise<ToolOutcome> {
  const session = await connect(caller, { channel: 'terminal' });
  try {
    return readResult(await session.client.callTool({ name, arguments: args }));
  } finally {
    await session.close();
  }
}

export async function listPending(connect: ConnectTools, staff: Caller): Promise<{ ok: true; approvals: Approval[] } | { ok: false; text: string }> {
  const r = await callAs(connect, staff, 'list_pending_approvals', {});
  if (!r.ok) return { ok: false, text: r.text };
  return { ok: true, approvals: Array.isArray(r.data['approvals']) ? (r.data['approvals'] as Approval[]) : [] };
}

export interface Decision { ok: boolean; text: string; approval?: Approval | undefined; outcome?: string | undefined; customerMessage?: string | undefined; threadKey?: string | undefined }

export async function decide(connect: ConnectTools, staff: Caller, approvalId: string, decision: 'approve' | 'deny', note?: string): Promise<Decision> {
  const args: Record<string, unknown> = { approvalId, decision };
  if (note) args['note'] = note;
  const r = await callAs(connect, staff, 'decide_approval', args);
  if (!r.ok) return { ok: false, text: r.text };
  const str = (k: string) => (typeof r.data[k] === 'string' ? (r.data[k] as string) : undefined);
  return { ok: true, text: r.text, approval: r.data['approval'] as Approval | undefined, outcome: str('outcome'), customerMessage: str('customerMessage'), threadKey: str('threadKey') };
}

const ACTIONS: Readonly<Record<Approval['action'], string>> = { card_deactivation: 'deactivate card', card_unfreeze: 'unfreeze card', password_change: 'password change' };

export function describeApproval(a: Approval): string {
  const what = ACTIONS[a.action] ?? String(a.action);
  const card = a.cardId ? ` (${a.cardId})` : '';
  return `${a.id}  ${what}${card} for ${a.customerId} — "${a.reason}" — expires ${a.expiresAt}`;
}

/** The ticket fields the terminal shows (a staff tool's result, read defensively). */
export type TicketLines = Partial<Pick<Ticket, 'id' | 'subject' | 'status' | 'priority' | 'messages' | 'customerId' | 'contact'>> & { customerName?: string };

/** A ticket for the terminal: a header, then each message with, for staff replies, whether it reached the customer. */
export function describeTicket(t: TicketLines): string[] {
  const who = t.customerName ?? t.customerId ?? t.contact ?? 'no customer';
  const out = [`${t.id ?? '?'} [${t.status ?? '?'}, ${t.priority ?? '?'}] ${t.subject ?? ''} — ${who}`];
  for (const m of t.messages ?? []) {
    const delivery = m.delivery ? `  [${deliveryShort(m.delivery)}, ${m.delivery.at}]` : '';
    out.push(`  ${m.at} ${m.author.kind === 'staff' ? `staff ${m.author.id}` : m.author.kind}${m.visibility === 'internal' ? ' (internal)' : ''}: ${m.body}${delivery}`);
  }
  return out;
}
