import type { ConnectTools, ConversationsPort } from '../../conversations/types.js';
import type { Caller } from '../../support/caller.js';
import type { Command } from './commands.js';
import { errorText } from './error-text.js';
import { decide, describeApproval, listPending } from './staff-tools.js';

export interface StaffCommandDeps {
  connectTools: ConnectTools;
  conversations: ConversationsPort;
  /** The local staff operator the terminal acts as. */
  staff: Caller;
  print(line: string): void;
}

/** The terminal's `staff`, `approve` and `deny` commands, run as the local staff operator. */
export function createStaffCommands(deps: StaffCommandDeps) {
  const { print } = deps;

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

  return { list, decide: decideOne };
}
