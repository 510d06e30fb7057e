import type { Logger } from '../../config/logger.js';
import { deliverForStaff } from '../../conversations/ticket-replies.js';
import type { ConnectTools, ConversationsPort } from '../../conversations/types.js';
import type { StaffCaller } from '../../support/caller.js';
import type { Command } from './commands.js';
import { errorText } from './error-text.js';
import { asStaff, describeApproval, describeTicket } from './staff-tools.js';

export interface StaffCommandDeps {
  connectTools: ConnectTools;
  conversations: ConversationsPort;
  /** The local staff operator the terminal acts as. */
  staff: StaffCaller;
  print(line: string): void;
  log: Logger;
}

/** The terminal's `staff`, `approve`, `deny`, `ticket`, `reply` and `note` commands, run as the local staff operator. */
export function createStaffCommands(deps: StaffCommandDeps) {
  const { print } = deps;

  /** Runs `fn` with the staff tools; a failure is printed as `Could not <what>: <why>` and ends the command. */
  async function staffTools<R>(what: string, fn: Parameters<typeof asStaff<R>>[2]): Promise<R | undefined> {
    try {
      return await asStaff(deps.connectTools, deps.staff, fn);
    } catch (err) {
      print(`Could not ${what}: ${errorText(err)}`);
      return undefined;
    }
  }

  async function showTicket(ticketId: string): Promise<void> {
    const r = await staffTools(`show ${ticketId}`, (tools) => tools.call('handle_ticket', { ticketId }));
    if (r) for (const line of describeTicket(r.ticket)) print(line);
  }

  /** A reply or an internal note; a public reply is then delivered to the customer, and the operator told where it went. */
  async function respond(c: Extract<Command, { kind: 'respond' }>): Promise<void> {
    const r = await staffTools(`${c.visibility === 'public' ? 'reply on' : 'add a note to'} ${c.ticketId}`, (tools) =>
      tools.call('respond_to_ticket', { ticketId: c.ticketId, message: c.text, visibility: c.visibility }));
    if (!r) return;
    if (c.visibility === 'internal') return print(`Internal note added to ${c.ticketId} (staff only; not sent to the customer).`);
    print(`Public reply saved on ${c.ticketId}.`);
    for (const o of await deliverForStaff(deps.conversations, c.ticketId, deps.log)) print(`${o.reached ? '' : 'WARNING: '}${o.text}`);
  }

  async function list(): Promise<void> {
    const r = await staffTools('list approvals', (tools) => tools.call('list_pending_approvals', {}));
    if (!r) return;
    if (r.approvals.length === 0) return print('No approvals are waiting.');
    print(`Pending approvals (${r.approvals.length}):`);
    for (const a of r.approvals) print(`  ${describeApproval(a)}`);
  }

  /** Decide an approval, then tell the customer's thread what was decided. */
  async function decideOne(c: Extract<Command, { kind: 'decide' }>): Promise<void> {
    const r = await staffTools(`${c.decision} ${c.approvalId}`, (tools) =>
      tools.call('decide_approval', { approvalId: c.approvalId, decision: c.decision, ...(c.note ? { note: c.note } : {}) }));
    if (!r) return;
    print(`Approval ${c.approvalId} ${r.approval.status}: ${r.outcome}`.trimEnd());
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
