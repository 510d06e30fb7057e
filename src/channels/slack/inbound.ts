import type { Logger } from '../../config/logger.js';
import type { ConversationsPort, InboundMessage } from '../../conversations/types.js';
import { createBoundedCache } from './bounded-cache.js';
import { isPermanent } from './dispatch.js';
import { clipText, longMessageNotice, MAX_MESSAGE_CHARS } from './long-message.js';
import { messageKey, parseMessageEvent, soundId, type SlackMessageEvent } from './message-event.js';
import { messageText } from './message-text.js';
import { slackThreadKey } from './thread-key.js';
import type { WorkingIndicator } from './working-indicator.js';

export type { SlackMessageEvent } from './message-event.js';

export interface SlackSelf { teamId: string; botUserId: string; botId?: string | undefined }

/** Subtypes that are still a person talking. Every other subtype (edits, deletions, joins, bot messages…) is ignored. */
const PERSON_SUBTYPES = new Set(['thread_broadcast', 'file_share', 'me_message']);
/** Slackbot's user id in every workspace: its DMs (reminders, notices) are a robot's, never a customer's. */
const SLACKBOT = 'USLACKBOT';

export interface Inbound {
  /** Decide synchronously whether the event is for us; if so, hand it to conversations (the promise is the work). */
  onEvent(envelope: { event_id?: unknown; team_id?: unknown }, event: unknown): Promise<void> | undefined;
  /** Remember that the bot is part of this thread (it started or replied in it). */
  joinThread(channel: string, threadTs: string): void;
}

type Ours = SlackMessageEvent & { user: string; channel: string; ts: string };

export function createInbound(deps: {
  conversations: ConversationsPort;
  working: WorkingIndicator;
  self: () => SlackSelf | undefined;
  now: () => Date;
  log: Logger;
  /** Post a short note from Helpline into the customer's thread (e.g. that a very long message was cut). */
  notice: (channel: string, threadTs: string, text: string) => Promise<void>;
  dropped: (reason: string) => void;
}): Inbound {
  const seenEvents = createBoundedCache<true>({ max: 10_000, ttlMs: 60 * 60_000 });
  const seenMessages = createBoundedCache<true>({ max: 10_000, ttlMs: 60 * 60_000 });
  const threads = createBoundedCache<true>({ max: 20_000 });

  function foreign(self: SlackSelf, teamId: unknown, e: SlackMessageEvent): boolean {
    if (typeof teamId === 'string' && teamId !== self.teamId) return true;
    return Boolean((e.team && e.team !== self.teamId) || (e.user_team && e.user_team !== self.teamId));
  }

  /** Whether a message is for the bot; 'thread': only if its thread has a conversation (answered before a restart). */
  function forUs(self: SlackSelf, e: SlackMessageEvent): 'yes' | 'no' | 'thread' {
    if (e.subtype && !PERSON_SUBTYPES.has(e.subtype)) return 'no';
    if (e.bot_id || e.app_id || e.bot_profile) return 'no';
    if (!e.user || e.user === self.botUserId || e.user === SLACKBOT || !e.channel || !e.ts) return 'no';
    if (e.type === 'app_mention') return 'yes';
    if (e.type !== 'message') return 'no';
    if (e.channel_type === 'im') return 'yes';
    // in channels: a mention is handled by its app_mention event; otherwise only threads we are part of
    if ((e.text ?? '').includes(`<@${self.botUserId}>`)) return 'no';
    if (!e.thread_ts || e.thread_ts === e.ts) return 'no';
    if (e.parent_user_id === self.botUserId || threads.has(`${e.channel}:${e.thread_ts}`)) return 'yes';
    return 'thread';
  }

  return {
    joinThread(channel, threadTs) {
      threads.set(`${channel}:${threadTs}`, true);
    },
    onEvent(envelope, raw) {
      const self = deps.self();
      if (!self) return undefined;
      const e = parseMessageEvent(raw);
      if (!e) {
        deps.log.debug({ eventId: soundId(envelope.event_id) }, 'slack message event with malformed fields dropped');
        deps.dropped('malformed_event');
        return undefined;
      }
      if (foreign(self, envelope.team_id, e)) {
        deps.log.debug({ eventId: soundId(envelope.event_id), team: soundId(envelope.team_id) ?? soundId(e.user_team) ?? soundId(e.team) }, 'slack message from another workspace dropped');
        deps.dropped('foreign_workspace');
        return undefined;
      }
      const verdict = forUs(self, e);
      if (verdict === 'no') return undefined;
      if (verdict === 'thread') {
        // A thread we answered before a restart: its conversation is in the store.
        const key = slackThreadKey({ team: self.teamId, channel: e.channel as string, threadTs: e.thread_ts as string });
        return deps.conversations.hasThread(key).then((known) => (known ? accept(self, e as Ours, envelope) : undefined));
      }
      return accept(self, e as Ours, envelope);
    },
  };

  function accept(self: SlackSelf, e: Ours, envelope: { event_id?: unknown }): Promise<void> | undefined {
    const eventId = soundId(envelope.event_id);
    if (eventId && !seenEvents.add(eventId, true)) return undefined;
    const { channel, ts } = e;
    // app_mention and message events of one message share this key: the first one wins
    if (!seenMessages.add(`${channel}:${ts}`, true)) return undefined;
    const threadTs = e.thread_ts ?? ts;
    threads.set(`${channel}:${threadTs}`, true);
    const threadKey = slackThreadKey({ team: self.teamId, channel, threadTs });
    const full = messageText(e, self.botUserId);
    const clipped = clipText(full, MAX_MESSAGE_CHARS);
    const msg: InboundMessage = {
      id: messageKey(e),
      channel: 'slack',
      threadKey,
      sender: { id: e.user, verified: true },
      text: clipped.text || '(empty message)',
      receivedAt: deps.now().toISOString(),
      meta: { slackChannel: channel, slackTs: ts, threadTs, channelType: e.channel_type ?? (e.type === 'app_mention' ? 'channel' : undefined), eventId },
    };
    return (async () => {
      deps.working.expect(msg.id, { threadKey, channel, ts });
      try {
        const res = await deps.conversations.handle(msg);
        if (res.accepted) deps.working.accepted(msg.id);
        else deps.working.rejected(msg.id);
        deps.log.info({ threadKey, messageId: msg.id, accepted: res.accepted, reason: res.reason, chars: full.length, cut: clipped.cut }, 'slack message handed over');
        if (res.accepted && clipped.cut) {
          await deps.notice(channel, threadTs, longMessageNotice(full.length, clipped.kept)).catch((err: Error) =>
            deps.log.warn({ threadKey, err: err.message }, 'long-message notice not posted'));
        }
      } catch (err) {
        deps.working.rejected(msg.id);
        if (isPermanent(err)) {
          deps.log.warn({ err: (err as Error).message, threadKey }, 'slack message refused; acknowledged (a retry cannot succeed)');
          throw err;
        }
        seenMessages.delete(`${channel}:${ts}`); // a Slack retry may try again
        if (eventId) seenEvents.delete(eventId);
        deps.log.error({ err: (err as Error).message, threadKey }, 'conversations.handle failed; not acked, Slack will retry');
        throw err;
      }
    })();
  }
}
