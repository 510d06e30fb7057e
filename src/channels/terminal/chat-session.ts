import { randomUUID } from 'node:crypto';
import type { Logger } from '../../config/logger.js';
import type { ConversationsPort, CustomerDirectory, CustomerRef } from '../../conversations/types.js';
import type { ReplyWaiters } from './reply-waiters.js';
import type { ThreadNumbers } from './thread-numbers.js';

export const GUEST = 'guest';

export interface ChatSessionDeps {
  conversations: ConversationsPort;
  directory: CustomerDirectory;
  threads: ThreadNumbers;
  waiters: ReplyWaiters;
  print(line: string): void;
  log: Logger;
}

/** Who the person at the terminal chats as, in which thread, and sending their messages to the bot. */
export function createChatSession(deps: ChatSessionDeps) {
  const { threads, waiters, print } = deps;
  const state: { user: CustomerRef | undefined; threadKey: string } = { user: undefined, threadKey: '' };

  async function switchUser(who: string): Promise<void> {
    const c = (await deps.directory.byId(who)) ?? (await deps.directory.byEmail(who));
    if (!c) {
      print(`No customer matches "${who}". Try a customer id like cus_001 or their email address.`);
      return;
    }
    state.user = c;
    state.threadKey = await threads.current(c.id);
    print(`Now chatting as ${c.name} (${c.id}, ${c.email}), verified. Thread ${state.threadKey}.`);
  }

  /** Start as `initialUser` when given and found, else as a guest in a fresh thread. */
  async function begin(initialUser: string | undefined): Promise<void> {
    if (initialUser) await switchUser(initialUser);
    if (!state.user) state.threadKey = await threads.fresh(GUEST);
  }

  async function reset(): Promise<void> {
    state.threadKey = await threads.fresh(state.user?.id ?? GUEST);
    print(`Started a new conversation (${state.threadKey}).`);
  }

  /** Hand a message to conversations and wait (bounded) for its answer to be printed. */
  async function send(text: string): Promise<void> {
    const id = `terminal:${randomUUID()}`;
    const user = state.user;
    const answered = waiters.expect(id);
    const result = await deps.conversations.handle({
      id, channel: 'terminal', threadKey: state.threadKey, text, receivedAt: new Date().toISOString(),
      sender: user ? { id: user.id, verified: true, displayName: user.name, email: user.email } : { id: GUEST, verified: false },
    }).catch((err: unknown) => {
      deps.log.error({ err: String(err) }, 'terminal message not accepted');
      return { accepted: false, reason: undefined };
    });
    if (!result.accepted && result.reason !== 'busy') {
      waiters.settle(id);
      print(result.reason === 'stopped' ? '(the assistant is shutting down; your message was not sent)' : '(your message could not be accepted; please try again)');
      return;
    }
    if (!(await answered)) print('(still working on it; the answer will appear here when ready)');
  }

  return { switchUser, begin, reset, send, threadKey: () => state.threadKey, user: () => state.user };
}

export type ChatSession = ReturnType<typeof createChatSession>;
