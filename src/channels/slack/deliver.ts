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

/** Posting a reply into a Slack thread: escaped mrkdwn, split under Slack's limits, idempotent for retries. */
export function createSlackDeliver(deps: {
  client: WebClient;
  lanes: LaneRunner;
  working: WorkingIndicator;
  teamId: () => string | undefined;
  onPosted: (channel: string, threadTs: string) => void;
  log: Logger;
}): DeliverPort {
  // chunks already posted (a retried deliver skips them)
  const sent = createBoundedCache<string>({ max: 20_000 });

  async function post(channel: string, threadTs: string, text: string): Promise<string> {
    try {
      const res = await deps.lanes.run(channel, () =>
        deps.client.chat.postMessage({ channel, thread_ts: threadTs, text, mrkdwn: true, parse: 'none', link_names: false, unfurl_links: false, unfurl_media: false }));
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
      for (const [i, chunk] of chunks.entries()) {
        const key = `${digest}:${i}`;
        if (keyed && sent.has(key)) continue;
        const ts = await post(ref.channel, ref.threadTs, chunk);
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
