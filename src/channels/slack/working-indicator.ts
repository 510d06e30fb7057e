import type { WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { LaneRunner } from './rate-limit.js';

export const WORKING_REACTION = 'eyes';

interface Entry { threadKey: string; channel: string; ts: string; done: boolean; added?: Promise<boolean> }

/**
 * The "I'm on it" signal: an :eyes: reaction on the customer's message once it is accepted, removed when the
 * reply for it is posted. Reactions run in their own lane so they never hold up replies.
 */
export interface WorkingIndicator {
  /** Call before handing the message over, so a very fast reply still finds it. */
  expect(messageId: string, ref: { threadKey: string; channel: string; ts: string }): void;
  accepted(messageId: string): void;
  rejected(messageId: string): void;
  /**
   * The reply for `messageId` (or, without an id, for every waiting message of the thread) has been posted.
   * `at`: where that message is; when this process never saw it (the reply comes after a restart), the reaction an
   * earlier process may have added there is removed anyway (Slack's no_reaction when there is none is ignored).
   */
  finished(threadKey: string, messageId: string | undefined, at?: { channel: string; ts: string }): Promise<void>;
}

export function createWorkingIndicator(deps: { client: WebClient; lanes: LaneRunner; log: Logger; max?: number }): WorkingIndicator {
  const entries = new Map<string, Entry>();
  const max = deps.max ?? 5000;

  const react = (e: Entry, add: boolean) =>
    deps.lanes
      .run(`react:${e.channel}`, () =>
        add
          ? deps.client.reactions.add({ channel: e.channel, timestamp: e.ts, name: WORKING_REACTION })
          : deps.client.reactions.remove({ channel: e.channel, timestamp: e.ts, name: WORKING_REACTION }))
      .then(
        () => true,
        (err: Error) => {
          deps.log.debug({ err: err.message, add }, 'reaction change failed');
          return false;
        },
      );

  return {
    expect(messageId, ref) {
      entries.set(messageId, { ...ref, done: false });
      while (entries.size > max) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    accepted(messageId) {
      const e = entries.get(messageId);
      if (!e || e.done) return;
      e.added = react(e, true);
    },
    rejected(messageId) {
      entries.delete(messageId);
    },
    async finished(threadKey, messageId, at) {
      const targets = messageId !== undefined
        ? [...entries.entries()].filter(([id]) => id === messageId)
        : [...entries.entries()].filter(([, e]) => e.threadKey === threadKey);
      if (messageId !== undefined && targets.length === 0 && at) {
        await react({ threadKey, channel: at.channel, ts: at.ts, done: true }, false);
        return;
      }
      await Promise.all(targets.map(async ([id, e]) => {
        e.done = true;
        entries.delete(id);
        if (e.added && (await e.added)) await react(e, false);
      }));
    },
  };
}
