import type { Logger } from '../../config/logger.js';
import { deliverForStaff } from '../../conversations/ticket-replies.js';
import type { ConnectTools, ConversationsPort } from '../../conversations/types.js';
import type { Caller } from '../../support/caller.js';
import type { Command } from './commands.js';
import { errorText } from './error-text.js';
import { callAs, decide, describeApproval, describeTicket, listPending, type TicketLines } from './staff-tools.js';

export interface StaffCommandDeps {
  connectTools: ConnectTools;
  conversations: ConversationsPort;
  /** The local staff operator the terminal acts as. */
  staff: Caller;
  print(line: string): void;
  log: Logger;
}

/** The terminal's `staff`, `approve`, `deny`, `ticket`, `reply` and `note` commands, run as the local staff operator. */
export function createStaffCommands(deps: StaffCommandDeps) {
  const { print } = deps;

  async function showTicket(ticketId: string): Promise<void> {
    const r = await callAs(deps.connectTools, deps.staff, 'handle_ticket', { ticketId });
    if (!r.ok) return print(`Could not show ${ticketId}: ${r.text}`);
    for (const line of describeTicket(r.data['ticket'] as TicketLines)) print(line);
  }

  /** A reply or an internal note; a public reply is then delivered to the customer, and the operator told where it went. */
  async function respond(c: Extract<Command, { kind: 'respond' }>): Promise<void> {
    const r = await callAs(deps.connectTools, deps.staff, 'respond_to_ticket', { ticketId: c.ticketId, message: c.text, visibility: c.visibility });
    if (!r.ok) return print(`Could not ${c.visibility === 'public' ? 'reply on' : 'add a note to'} ${c.ticketId}: ${r.text}`);
    if (c.visibility === 'internal') return print(`Internal note added to ${c.ticketId} (staff only; not sent to the customer).`);
    print(`Public reply saved on ${c.ticketId}.`);
    for (const o of await deliverForStaff(deps.conversations, c.ticketId, deps.log)) print(`${o.reached ? '' : 'WARNING: '}${o.text}`);
  }

  async function list(): Promise<void> {
    const r = await listPending(deps.connectTools, deps.staff);
    if (!r.ok) return print(`Could not list approvals: ${r.text}`);
    if (r.approvals.length === 0) return print('No approvals are waiting.');
    print(`Pending approvals (${r.approvals.length}):`);
    for (const a of r.approvals) print(`  ${describeApproval(a)}`);
  }

  /** Decide an approval, then tell the customer's thread what was decided. */
  async function decideOne(c: Extract<Command, { kind: 'decide' }>): Promise<void> {
    const r = await decide(deps.connectTools, deps.staff, c.approvalId, c.decision, c.note);
    if (!r.ok) return print(`Could not ${c.decision} ${c.approvalId}: ${r.text}`);
    print(`Approval ${c.approvalId} ${r.approval?.status ?? (c.decision === 'approve' ? 'approved' : 'denied')}: ${r.outcome ?? ''}`.trimEnd());
    if (r.threadKey && r.customerMessage) {
      try {
        await deps.conversations.notifyThread(r.threadKey, r.customerMessage);
      } catch (err) {
        print(`Could not tell the customer's thread (${r.threadKey}): ${errorText(err)}`);
      }
    } else if (r.customerMessage) {
      print(`(no conversation thread is linked; tell the customer: ${r.customerMessage})`);
    }
  }

  return { list, decide: decideOne, showTicket, respond };
}
