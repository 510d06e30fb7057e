import { createHash } from 'node:crypto';
import type { WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { DeliverPort, OutboundReply } from '../../conversations/types.js';
import { AppError } from '../../errors.js';
import { createBoundedCache } from './bounded-cache.js';
import { formatReply } from './format.js';
import { retryAfterSeconds, type LaneRunner } from './rate-limit.js';
import { parseSlackThreadKey } from './thread-key.js';
import type { WorkingIndicator } from './working-indicator.js';

/** Slack errors that retrying cannot fix (the thread is gone or closed to us) and those worth a retry. */
const GONE = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'thread_not_found', 'user_not_found', 'account_inactive', 'invalid_auth', 'token_revoked']);
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** The metadata event type that marks a reply part (its payload's `key` names the reply and part). */
const REPLY_EVENT = 'helpline_reply_part';

/**
 * Keys of the reply parts this app already posted in a thread, read back from Slack's message metadata. A failed
 * read yields none: the reply is then posted (a possible repeat beats a lost answer).
 */
async function postedKeys(deps: { client: WebClient; lanes: LaneRunner; botId: () => string | undefined; log: Logger }, channel: string, threadTs: string): Promise<Set<string>> {
  const ours = deps.botId();
  const keys = new Set<string>();
  try {
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await deps.lanes.run('conversations.replies', () =>
        deps.client.conversations.replies({ channel, ts: threadTs, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) }));
      for (const m of (res.messages ?? []) as Array<{ bot_id?: unknown; metadata?: { event_type?: unknown; event_payload?: { key?: unknown } } }>) {
        if (ours && m.bot_id !== ours) continue; // only what this app posted counts
        if (m.metadata?.event_type === REPLY_EVENT && typeof m.metadata.event_payload?.key === 'string') keys.add(m.metadata.event_payload.key);
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) break;
    }
  } catch (err) {
    deps.log.warn({ err: (err as Error).message, channel }, 'could not read the thread back; the reply is posted again');
  }
  return keys;
}

/** Posting a reply into a Slack thread: escaped mrkdwn, split under Slack's limits, idempotent for retries. */
export function createSlackDeliver(deps: {
  client: WebClient;
  lanes: LaneRunner;
  working: WorkingIndicator;
  teamId: () => string | undefined;
  /** The bot's own id: only its own messages count when reading a thread back. */
  botId: () => string | undefined;
  onPosted: (channel: string, threadTs: string) => void;
  log: Logger;
}): DeliverPort {
  // chunks already posted (a retried deliver skips them)
  const sent = createBoundedCache<string>({ max: 20_000 });

  async function post(channel: string, threadTs: string, text: string, key: string | undefined): Promise<string> {
    try {
      const metadata = key ? { metadata: { event_type: REPLY_EVENT, event_payload: { key } } } : {};
      const res = await deps.lanes.run(channel, () =>
        deps.client.chat.postMessage({ channel, thread_ts: threadTs, text, mrkdwn: true, parse: 'none', link_names: false, unfurl_links: false, unfurl_media: false, ...metadata }));
      return res.ts ?? '';
    } catch (err) {
      if (retryAfterSeconds(err) !== undefined) throw new AppError('rate_limited', 'Slack kept rate limiting this channel', { channel }, { cause: err });
      const code = (err as { data?: { error?: string }; code?: string }).data?.error;
      if (code) {
        const kind = GONE.has(code) ? 'not_found' : TRANSIENT.has(code) ? 'unavailable' : 'bad_input';
        throw new AppError(kind, `Slack refused the message: ${code}`, { channel, error: code }, { cause: err });
      }
      throw new AppError('unavailable', 'Slack could not be reached', { channel }, { cause: err });
    }
  }

  return {
    async deliver(threadKey: string, reply: OutboundReply): Promise<void> {
      const ref = parseSlackThreadKey(threadKey);
      const team = deps.teamId();
      if (!ref || (team && ref.team !== team)) throw new AppError('not_found', 'Not a Slack thread of this workspace', { threadKey });
      const digest = createHash('sha256').update(`${threadKey}\u0000${reply.kind}\u0000${reply.inReplyToId ?? ''}\u0000${reply.text}`).digest('hex');
      const chunks = formatReply(reply.text);
      // A reply to a message (inReplyToId) is posted once even if delivery is retried after a partial failure;
      // a free-standing notice is always posted (two identical notices can both be real).
      const keyed = reply.inReplyToId !== undefined;
      // After a restart the in-process record is gone: Slack itself says which parts are already in the thread.
      const inThread = keyed && reply.maybeDelivered ? await postedKeys(deps, ref.channel, ref.threadTs) : new Set<string>();
      for (const [i, chunk] of chunks.entries()) {
        const key = `${digest.slice(0, 32)}:${i}`;
        if (keyed && (sent.has(key) || inThread.has(key))) continue;
        const ts = await post(ref.channel, ref.threadTs, chunk, keyed ? key : undefined);
        if (keyed) sent.set(key, ts);
      }
      deps.onPosted(ref.channel, ref.threadTs);
      deps.log.info({ threadKey, kind: reply.kind, parts: chunks.length }, 'slack reply posted');
      if (reply.kind === 'reply' || reply.kind === 'busy') {
        const m = reply.inReplyToMeta;
        const at = typeof m?.['slackChannel'] === 'string' && typeof m['slackTs'] === 'string' ? { channel: m['slackChannel'], ts: m['slackTs'] } : undefined;
        await deps.working.finished(threadKey, reply.inReplyToId, at);
      }
    },
  };
}
