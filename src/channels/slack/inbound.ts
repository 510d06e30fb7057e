import type { Logger } from '../../config/logger.js';
import type { ConversationsPort, InboundMessage } from '../../conversations/types.js';
import { createBoundedCache } from './bounded-cache.js';
import { slackToPlain } from './format.js';
import { slackThreadKey } from './thread-key.js';
import type { WorkingIndicator } from './working-indicator.js';

/** The fields of a Slack `message` / `app_mention` event we read. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  bot_profile?: unknown;
  team?: string;
  user_team?: string;
  channel?: string;
  channel_type?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  parent_user_id?: string;
  client_msg_id?: string;
}

export interface SlackSelf { teamId: string; botUserId: string; botId?: string | undefined }

/** Subtypes that are still a person talking. Every other subtype (edits, deletions, joins, bot messages…) is ignored. */
const PERSON_SUBTYPES = new Set(['thread_broadcast', 'file_share']);
const MAX_TEXT = 8000;

export interface Inbound {
  /** Decide synchronously whether the event is for us; if so, hand it to conversations (the promise is the work). */
  onEvent(envelope: { event_id?: string; team_id?: string }, event: SlackMessageEvent): Promise<void> | undefined;
  /** Remember that the bot is part of this thread (it started or replied in it). */
  joinThread(channel: string, threadTs: string): void;
}

export function createInbound(deps: {
  conversations: ConversationsPort;
  working: WorkingIndicator;
  self: () => SlackSelf | undefined;
  now: () => Date;
  log: Logger;
}): Inbound {
  const seenEvents = createBoundedCache<true>({ max: 10_000, ttlMs: 60 * 60_000 });
  const seenMessages = createBoundedCache<true>({ max: 10_000, ttlMs: 60 * 60_000 });
  const threads = createBoundedCache<true>({ max: 20_000 });

  function forUs(self: SlackSelf, envelope: { team_id?: string }, e: SlackMessageEvent): boolean {
    if (envelope.team_id && envelope.team_id !== self.teamId) return false;
    if ((e.team && e.team !== self.teamId) || (e.user_team && e.user_team !== self.teamId)) return false;
    if (e.subtype && !PERSON_SUBTYPES.has(e.subtype)) return false;
    if (e.bot_id || e.app_id || e.bot_profile) return false;
    if (!e.user || e.user === self.botUserId || !e.channel || !e.ts) return false;
    if (e.type === 'app_mention') return true;
    if (e.type !== 'message') return false;
    if (e.channel_type === 'im') return true;
    // in channels: a mention is handled by its app_mention event; otherwise only threads we are part of
    if ((e.text ?? '').includes(`<@${self.botUserId}>`)) return false;
    if (!e.thread_ts || e.thread_ts === e.ts) return false;
    if (e.parent_user_id === self.botUserId || threads.has(`${e.channel}:${e.thread_ts}`)) return true;
    // A thread we answered before a restart: its conversation is in the store.
    return deps.conversations.hasThread(slackThreadKey({ team: self.teamId, channel: e.channel, threadTs: e.thread_ts }));
  }

  return {
    joinThread(channel, threadTs) {
      threads.set(`${channel}:${threadTs}`, true);
    },
    onEvent(envelope, e) {
      const self = deps.self();
      if (!self || !forUs(self, envelope, e)) return undefined;
      if (envelope.event_id && !seenEvents.add(envelope.event_id, true)) return undefined;
      const channel = e.channel as string;
      const ts = e.ts as string;
      // app_mention and message events of one message share this key: the first one wins
      if (!seenMessages.add(`${channel}:${ts}`, true)) return undefined;
      const threadTs = e.thread_ts ?? ts;
      threads.set(`${channel}:${threadTs}`, true);
      const threadKey = slackThreadKey({ team: self.teamId, channel, threadTs });
      const text = slackToPlain(e.text ?? '', self.botUserId).slice(0, MAX_TEXT) || '(empty message)';
      const msg: InboundMessage = {
        id: e.client_msg_id ?? `${channel}:${ts}`,
        channel: 'slack',
        threadKey,
        sender: { id: e.user as string, verified: true },
        text,
        receivedAt: deps.now().toISOString(),
        meta: { slackChannel: channel, slackTs: ts, threadTs, channelType: e.channel_type ?? (e.type === 'app_mention' ? 'channel' : undefined), eventId: envelope.event_id },
      };
      return (async () => {
        deps.working.expect(msg.id, { threadKey, channel, ts });
        try {
          const res = await deps.conversations.handle(msg);
          if (res.accepted) deps.working.accepted(msg.id);
          else deps.working.rejected(msg.id);
          deps.log.info({ threadKey, messageId: msg.id, accepted: res.accepted, reason: res.reason }, 'slack message handed over');
        } catch (err) {
          deps.working.rejected(msg.id);
          seenMessages.delete(`${channel}:${ts}`); // a Slack retry may try again
          if (envelope.event_id) seenEvents.delete(envelope.event_id);
          deps.log.error({ err: (err as Error).message, threadKey }, 'conversations.handle failed; not acked, Slack will retry');
          throw err;
        }
      })();
    },
  };
}
