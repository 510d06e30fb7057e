import type { CustomerDirectory, DeliverPort, DevMail, IdentityResolver, OutboundReply, StaffNotifier } from '../../conversations/types.js';
import type { ReplyWaiters } from './reply-waiters.js';
import { describeApproval } from './staff-tools.js';

export interface TerminalPortDeps {
  directory: CustomerDirectory;
  waiters: ReplyWaiters;
  /** The thread the person is in now: replies to other threads are labelled with their key. */
  currentThread(): string;
  print(line: string): void;
  /** Where the dev mailbox page is, when the HTTP server serves it. */
  devMailboxUrl?: string | undefined;
}

/** What the terminal prints of a mail put in the local dev mailbox. */
export type TerminalDevMail = Pick<DevMail, 'from' | 'to' | 'subject' | 'text'>;

/** No control characters from a mail reach the terminal (escape sequences), except line breaks and tabs in the body. */
const oneLine = (s: string) => s.replace(/[\x00-\x1f\x7f\x9b]+/g, ' ').trim();
const body = (s: string) => s.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, '');

/** What the terminal offers conversations: delivery into the console, identity, and the staff notifier. */
export function createTerminalPorts(deps: TerminalPortDeps): {
  deliver: DeliverPort; resolver: IdentityResolver; staff: StaffNotifier; showDevMail(mail: TerminalDevMail): void;
} {
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

  /** Each mail put in the dev mailbox, framed so nobody takes it for a sent one. */
  function showDevMail(mail: TerminalDevMail): void {
    const also = deps.devMailboxUrl ? ` (also at ${deps.devMailboxUrl})` : '';
    print([
      '┌── [dev mailbox] not sent — no SMTP configured ──',
      `│ From: ${oneLine(mail.from)}`,
      `│ To: ${oneLine(mail.to)}`,
      `│ Subject: ${oneLine(mail.subject)}`,
      '│',
      ...body(mail.text).split('\n').map((l) => `│ ${l}`.trimEnd()),
      `└── end of dev mailbox message${also} ──`,
    ].join('\n'));
  }

  return { deliver, resolver, staff, showDevMail };
}
