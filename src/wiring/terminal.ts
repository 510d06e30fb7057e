/** The terminal chat: whether it runs, and hooking it into the app like any other channel. */
import type { Readable, Writable } from 'node:stream';
import { TERMINAL_STAFF_ID, createTerminalChannel, type TerminalChannel } from '../channels/terminal/index.js';
import type { DevMail } from '../channels/email/index.js';
import type { Config } from '../config/config.js';
import type { ConversationsPort } from '../conversations/types.js';
import type { ChannelWiringDeps } from './channels.js';

export type TerminalMode = 'auto' | 'always' | 'never';

/** 'auto': only when no other channel (Slack, email) is configured. */
export function terminalRuns(config: Config, mode: TerminalMode): boolean {
  return mode === 'always' || (mode === 'auto' && !(config.slack.enabled || config.email.enabled));
}

export type TerminalWiringDeps = Pick<
  ChannelWiringDeps, 'log' | 'support' | 'connectTools' | 'directory' | 'delivery' | 'resolvers' | 'staffNotifiers' | 'starters' | 'stoppers' | 'channels'
> & {
  conversations: ConversationsPort;
  input: Readable;
  output: Writable;
  modelLabel: string;
  /** The dev mailbox's listeners: the terminal prints each mail put there. */
  devMail: Array<(mail: DevMail) => void>;
  /** Where the dev mailbox page is served, if it is. */
  devMailboxUrl?: string | undefined;
};

/** Creates the terminal channel and registers it; `done` resolves when its session ends (quit / end of input). */
export function wireTerminal(d: TerminalWiringDeps): { terminal: TerminalChannel; done: Promise<void> } {
  const { log } = d;
  const t = createTerminalChannel({
    input: d.input, output: d.output,
    conversations: d.conversations, directory: d.directory, connectTools: d.connectTools, modelLabel: d.modelLabel, log: log.child({ component: 'terminal' }),
    staffId: TERMINAL_STAFF_ID, threadExists: (k) => d.conversations.hasThread(k),
    addressChanges: d.support.accounts, devMailboxUrl: d.devMailboxUrl,
  });
  d.delivery['terminal'] = t.deliver;
  d.resolvers.terminal = t.resolver;
  d.staffNotifiers.push(t.staff);
  d.devMail.push((mail) => t.showDevMail(mail));
  let markDone!: () => void;
  const done = new Promise<void>((r) => { markDone = r; });
  d.starters.push(() => { void t.run().catch((err: unknown) => log.error({ err: String(err) }, 'terminal chat failed')).finally(markDone); });
  d.stoppers.push(() => t.close());
  d.channels.push('terminal');
  return { terminal: t, done };
}
