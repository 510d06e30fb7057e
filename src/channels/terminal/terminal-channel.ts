import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../config/logger.js';
import type {
  ConnectTools, ConversationsPort, CustomerDirectory, DeliverPort, IdentityResolver, StaffNotifier,
} from '../../conversations/types.js';
import { redactSecrets } from '../../conversations/redact.js';
import { createAddressCommands, type AddressConfirmByIdPort } from './address-commands.js';
import { createChatSession } from './chat-session.js';
import { HELP, parseCommand } from './commands.js';
import { errorText } from './error-text.js';
import { createReplyWaiters } from './reply-waiters.js';
import { createStaffCommands } from './staff-commands.js';
import { createTerminalPorts, type TerminalDevMail } from './terminal-ports.js';
import { createThreadNumbers } from './thread-numbers.js';

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
  threadExists?: ((threadKey: string) => Promise<boolean>) | undefined;
  /** How long to wait for an answer before taking the next line anyway (default 5 minutes). */
  replyTimeoutMs?: number | undefined;
  /** Customer to start as (id or email); default: a guest (unverified). */
  initialUser?: string | undefined;
  /** `confirm <change id>`: confirms the current customer's pending address change (wired from support.accounts). */
  addressChanges?: AddressConfirmByIdPort | undefined;
  /** Where the dev mailbox page is (shown with each dev-mailbox mail), when it is served. */
  devMailboxUrl?: string | undefined;
}

export interface TerminalChannel {
  deliver: DeliverPort;
  resolver: IdentityResolver;
  staff: StaffNotifier;
  /** Prints a mail put in the local dev mailbox (no SMTP configured), framed as not sent. */
  showDevMail(mail: TerminalDevMail): void;
  /** Reads lines until `quit` or end of input; resolves when the session is over. */
  run(): Promise<void>;
  /** Stop reading input (run() then resolves). */
  close(): void;
}

export const TERMINAL_STAFF_ID = 'terminal-operator';

export function createTerminalChannel(opts: TerminalChannelOptions): TerminalChannel {
  const { output, log } = opts;
  const tty = Boolean((output as { isTTY?: boolean }).isTTY);
  const state: { closed: boolean; rl: ReturnType<typeof createInterface> | undefined } = { closed: false, rl: undefined };
  const print = (line: string) => { output.write(`${line}\n`); };
  const prompt = () => { if (tty && !state.closed) output.write('you> '); };

  const waiters = createReplyWaiters(opts.replyTimeoutMs ?? 5 * 60_000);
  const session = createChatSession({
    conversations: opts.conversations, directory: opts.directory, threads: createThreadNumbers(opts.threadExists), waiters, print, log,
  });
  const staffCommands = createStaffCommands({
    connectTools: opts.connectTools, conversations: opts.conversations, staff: { kind: 'staff', staffId: opts.staffId ?? TERMINAL_STAFF_ID }, print, log,
  });
  const addressCommands = createAddressCommands({ addressChanges: opts.addressChanges, currentUser: session.user, print });
  const ports = createTerminalPorts({ directory: opts.directory, waiters, currentThread: session.threadKey, print, devMailboxUrl: opts.devMailboxUrl });

  async function exec(line: string): Promise<'quit' | undefined> {
    const cmd = parseCommand(line);
    // Under a pipe, echo the input (secrets removed) so the output reads as a transcript.
    if (!tty && cmd.kind !== 'empty') print(`you> ${redactSecrets(line.trim()).text}`);
    switch (cmd.kind) {
      case 'empty': break;
      case 'help': print(HELP); break;
      case 'usage': print(cmd.text); break;
      case 'quit': return 'quit';
      case 'user': await session.switchUser(cmd.who); break;
      case 'reset': await session.reset(); break;
      case 'staff': await staffCommands.list(); break;
      case 'decide': await staffCommands.decide(cmd); break;
      case 'confirm': await addressCommands.confirm(cmd.changeId); break;
      case 'ticket': await staffCommands.showTicket(cmd.ticketId); break;
      case 'respond': await staffCommands.respond(cmd); break;
      case 'message': await session.send(cmd.text); break;
    }
    return undefined;
  }

  async function run(): Promise<void> {
    print(`Helpline terminal chat — model: ${opts.modelLabel}`);
    print('Type "help" for commands. You are a guest until you pick a customer with "user <id or email>".');
    await session.begin(opts.initialUser);
    // Created here (not earlier) so no line is read before the loop below listens.
    const lines = createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });
    state.rl = lines;
    if (state.closed) lines.close();
    prompt();
    for await (const line of lines) {
      if (state.closed) break;
      try {
        if ((await exec(line)) === 'quit') break;
      } catch (err) {
        log.error({ err: String(err) }, 'terminal command failed');
        print(`(that did not work: ${errorText(err)})`);
      }
      prompt();
    }
    state.closed = true;
    lines.close();
    print('Bye.');
  }

  return {
    ...ports, run,
    close() {
      state.closed = true;
      state.rl?.close();
    },
  };
}
