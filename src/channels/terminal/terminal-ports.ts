import type { CustomerDirectory, DeliverPort, IdentityResolver, OutboundReply, StaffNotifier } from '../../conversations/types.js';
import type { ReplyWaiters } from './reply-waiters.js';
import { describeApproval } from './staff-tools.js';

export interface TerminalPortDeps {
  directory: CustomerDirectory;
  waiters: ReplyWaiters;
  /** The thread the person is in now: replies to other threads are labelled with their key. */
  currentThread(): string;
  print(line: string): void;
}

/** What the terminal offers conversations: delivery into the console, identity, and the staff notifier. */
export function createTerminalPorts(deps: TerminalPortDeps): { deliver: DeliverPort; resolver: IdentityResolver; staff: StaffNotifier } {
  const { print } = deps;
  const label = (threadKey: string) => (threadKey === deps.currentThread() ? '' : `[${threadKey}] `);

  const deliver: DeliverPort = {
    async deliver(threadKey: string, reply: OutboundReply) {
      const tag = reply.kind === 'reply' ? 'helpline' : `helpline (${reply.kind})`;
      print(`${label(threadKey)}${tag}> ${reply.text}`);
      if (reply.inReplyToId && reply.kind !== 'notice') deps.waiters.settle(reply.inReplyToId);
    },
  };

  const resolver: IdentityResolver = {
    async resolve(sender) {
      const c = sender.verified ? await deps.directory.byId(sender.id) : undefined;
      return c ? { kind: 'customer', customerId: c.id } : { kind: 'anonymous' };
    },
  };

  const staff: StaffNotifier = {
    async approvalRequested(a) {
      print(`[staff] Approval needed: ${describeApproval(a)}\n[staff] Type "approve ${a.id}" or "deny ${a.id}".`);
    },
    async alert(text) {
      print(`[staff alert] ${text}`);
    },
  };

  return { deliver, resolver, staff };
}
