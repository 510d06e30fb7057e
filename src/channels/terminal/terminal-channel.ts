import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../config/logger.js';
import type {
  ConnectTools, ConversationsPort, CustomerDirectory, CustomerRef, DeliverPort, IdentityResolver, OutboundReply, StaffNotifier,
} from '../../conversations/types.js';
import { redactSecrets } from '../../conversations/redact.js';
import type { Caller } from '../../support/caller.js';
import { HELP, parseCommand, type Command } from './commands.js';
import { decide, describeApproval, listPending } from './staff-tools.js';

export interface TerminalChannelOptions {
  input: Readable;
  output: Writable;
  conversations: ConversationsPort;
  directory: CustomerDirectory;
  /** Opens MCP sessions; the terminal uses it as the local staff operator for `staff`/`approve`/`deny`. */
  connectTools: ConnectTools;
  /** Shown in the banner, e.g. "Claude claude-sonnet-4-5" or "offline assistant (no ANTHROPIC_API_KEY)". */
  modelLabel: string;
  log: Logger;
  /** The staff id the local operator acts as (must be on the staff allow-list). */
  staffId?: string | undefined;
  /** Whether a thread key is already taken (so a new session starts a fresh thread). */
  threadExists?: ((threadKey: string) => boolean) | undefined;
  /** How long to wait for an answer before taking the next line anyway (default 5 minutes). */
  replyTimeoutMs?: number | undefined;
  /** Customer to start as (id or email); default: a guest (unverified). */
  initialUser?: string | undefined;
}

export interface TerminalChannel {
  deliver: DeliverPort;
  resolver: IdentityResolver;
  staff: StaffNotifier;
  /** Reads lines until `quit` or end of input; resolves when the session is over. */
  run(): Promise<void>;
  /** Stop reading input (run() then resolves). */
  close(): void;
}

export const TERMINAL_STAFF_ID = 'terminal-operator';
const GUEST = 'guest';

export function createTerminalChannel(opts: TerminalChannelOptions): TerminalChannel {
  const { output, log } = opts;
  const staffCaller: Caller = { kind: 'staff', staffId: opts.staffId ?? TERMINAL_STAFF_ID };
  const replyTimeoutMs = opts.replyTimeoutMs ?? 5 * 60_000;
  const tty = Boolean((output as { isTTY?: boolean }).isTTY);
  const waiters = new Map<string, () => void>();
  const threadNumbers = new Map<string, number>();
  const state: { user: CustomerRef | undefined; threadKey: string; closed: boolean } = { user: undefined, threadKey: '', closed: false };
  let rl: ReturnType<typeof createInterface> | undefined;

  const print = (line: string) => { output.write(`${line}\n`); };
  const prompt = () => { if (tty && !state.closed) output.write('you> '); };

  /** The next thread number for a user that no stored conversation uses yet. */
  function freshThread(userKey: string): string {
    let n = (threadNumbers.get(userKey) ?? 0) + 1;
    while (opts.threadExists?.(`terminal:${userKey}:${n}`)) n++;
    threadNumbers.set(userKey, n);
    return `terminal:${userKey}:${n}`;
  }

  function switchUser(who: string): void {
    const c = opts.directory.byId(who) ?? opts.directory.byEmail(who);
    if (!c) {
      print(`No customer matches "${who}". Try a customer id like cus_001 or their email address.`);
      return;
    }
    state.user = c;
    state.threadKey = threadNumbers.has(c.id) ? `terminal:${c.id}:${threadNumbers.get(c.id)}` : freshThread(c.id);
    print(`Now chatting as ${c.name} (${c.id}, ${c.email}), verified. Thread ${state.threadKey}.`);
  }

  async function send(text: string): Promise<void> {
    const id = `terminal:${randomUUID()}`;
    const user = state.user;
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { waiters.delete(id); resolve(false); }, replyTimeoutMs);
      timer.unref();
      waiters.set(id, () => { clearTimeout(timer); waiters.delete(id); resolve(true); });
    });
    const result = await opts.conversations.handle({
      id, channel: 'terminal', threadKey: state.threadKey, text, receivedAt: new Date().toISOString(),
      sender: user ? { id: user.id, verified: true, displayName: user.name, email: user.email } : { id: GUEST, verified: false },
    }).catch((err: unknown) => {
      log.error({ err: String(err) }, 'terminal message not accepted');
      return { accepted: false, reason: undefined };
    });
    if (!result.accepted && result.reason !== 'busy') {
      waiters.get(id)?.();
      print(result.reason === 'stopped' ? '(the assistant is shutting down; your message was not sent)' : '(your message could not be accepted; please try again)');
      return;
    }
    if (!(await answered)) print('(still working on it; the answer will appear here when ready)');
  }

  async function staffList(): Promise<void> {
    const r = await listPending(opts.connectTools, staffCaller);
    if (!r.ok) return print(`Could not list approvals: ${r.text}`);
    if (r.approvals.length === 0) return print('No approvals are waiting.');
    print(`Pending approvals (${r.approvals.length}):`);
    for (const a of r.approvals) print(`  ${describeApproval(a)}`);
  }

  async function staffDecide(c: Extract<Command, { kind: 'decide' }>): Promise<void> {
    const r = await decide(opts.connectTools, staffCaller, c.approvalId, c.decision, c.note);
    if (!r.ok) return print(`Could not ${c.decision} ${c.approvalId}: ${r.text}`);
    print(`Approval ${c.approvalId} ${r.approval?.status ?? (c.decision === 'approve' ? 'approved' : 'denied')}: ${r.outcome ?? ''}`.trimEnd());
    if (r.threadKey && r.customerMessage) {
      try {
        await opts.conversations.notifyThread(r.threadKey, r.customerMessage);
      } catch (err) {
        print(`Could not tell the customer's thread (${r.threadKey}): ${String((err as Error).message ?? err)}`);
      }
    } else if (r.customerMessage) {
      print(`(no conversation thread is linked; tell the customer: ${r.customerMessage})`);
    }
  }

  async function exec(line: string): Promise<'quit' | void> {
    const cmd = parseCommand(line);
    // Under a pipe, echo the input (secrets removed) so the output reads as a transcript.
    if (!tty && cmd.kind !== 'empty') print(`you> ${redactSecrets(line.trim()).text}`);
    switch (cmd.kind) {
      case 'empty': return;
      case 'help': return print(HELP);
      case 'usage': return print(cmd.text);
      case 'quit': return 'quit';
      case 'user': return switchUser(cmd.who);
      case 'reset':
        state.threadKey = freshThread(state.user?.id ?? GUEST);
        return print(`Started a new conversation (${state.threadKey}).`);
      case 'staff': return staffList();
      case 'decide': return staffDecide(cmd);
      case 'message': return send(cmd.text);
    }
  }

  function label(threadKey: string): string {
    return threadKey === state.threadKey ? '' : `[${threadKey}] `;
  }

  const deliver: DeliverPort = {
    async deliver(threadKey: string, reply: OutboundReply) {
      const tag = reply.kind === 'reply' ? 'helpline' : `helpline (${reply.kind})`;
      print(`${label(threadKey)}${tag}> ${reply.text}`);
      if (reply.inReplyToId && reply.kind !== 'notice') waiters.get(reply.inReplyToId)?.();
    },
  };

  const resolver: IdentityResolver = {
    async resolve(sender) {
      const c = sender.verified ? opts.directory.byId(sender.id) : undefined;
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

  async function run(): Promise<void> {
    print(`Helpline terminal chat — model: ${opts.modelLabel}`);
    print('Type "help" for commands. You are a guest until you pick a customer with "user <id or email>".');
    if (opts.initialUser) switchUser(opts.initialUser);
    if (!state.user) state.threadKey = freshThread(GUEST);
    // Created here (not earlier) so no line is read before the loop below listens.
    const lines = createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });
    rl = lines;
    if (state.closed) lines.close();
    prompt();
    for await (const line of lines) {
      if (state.closed) break;
      try {
        if ((await exec(line)) === 'quit') break;
      } catch (err) {
        log.error({ err: String(err) }, 'terminal command failed');
        print(`(that did not work: ${String((err as Error).message ?? err)})`);
      }
      prompt();
    }
    state.closed = true;
    lines.close();
    print('Bye.');
  }

  return {
    deliver, resolver, staff, run,
    close() {
      state.closed = true;
      rl?.close();
    },
  };
}
