/** The terminal chat: whether it runs, and building it like any other channel. */
import type { Readable, Writable } from 'node:stream';
import { TERMINAL_STAFF_ID, createTerminalChannel, type TerminalChannel } from '../channels/terminal/index.js';
import type { Config } from '../config/config.js';
import type { ConversationsPort } from '../conversations/types.js';
import type { ChannelWiringDeps } from './channels.js';
import type { WiredChannel } from './wired.js';

export type TerminalMode = 'auto' | 'always' | 'never';

/** 'auto': only when no other channel (Slack, email) is configured. */
export function terminalRuns(config: Config, mode: TerminalMode): boolean {
  return mode === 'always' || (mode === 'auto' && !(config.slack.enabled || config.email.enabled));
}

export type TerminalWiringDeps = Pick<ChannelWiringDeps, 'log' | 'support' | 'connectTools' | 'directory'> & {
  conversations: ConversationsPort;
  input: Readable;
  output: Writable;
  modelLabel: string;
  /** Where the dev mailbox page is served, if it is. */
  devMailboxUrl?: string | undefined;
};

/**
 * Creates the terminal channel; starting it begins the session (not awaited), `done` resolves when the session ends
 * (quit / end of input). The local operator it acts as is staff.
 */
export function wireTerminal(d: TerminalWiringDeps): WiredChannel & { terminal: TerminalChannel; done: Promise<void> } {
  const { log } = d;
  const t = createTerminalChannel({
    input: d.input, output: d.output,
    conversations: d.conversations, directory: d.directory, connectTools: d.connectTools, modelLabel: d.modelLabel, log: log.child({ component: 'terminal' }),
    staffId: TERMINAL_STAFF_ID, threadExists: (k) => d.conversations.hasThread(k),
    addressChanges: d.support.accounts, devMailboxUrl: d.devMailboxUrl,
  });
  let markDone!: () => void;
  const done = new Promise<void>((r) => { markDone = r; });
  return {
    name: 'terminal', terminal: t, done, deliver: t.deliver, resolver: t.resolver, staffNotifier: t.staff,
    isStaff: (id) => id === TERMINAL_STAFF_ID,
    start: () => { void t.run().catch((err: unknown) => log.error({ err: String(err) }, 'terminal chat failed')).finally(markDone); },
    stop: () => t.close(),
  };
}
