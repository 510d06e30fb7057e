import type { DeliverPort, OutboundReply } from '../../conversations/types.js';

export interface WebReply {
  text: string;
  kind: OutboundReply['kind'];
}

/**
 * The web channel's delivery: a reply to a message settles the HTTP request waiting for it (by message id), and is
 * kept a while (bounded) so a retried POST of the same message gets the same answer. Notices (an approval decided…)
 * are in the transcript and so in the thread's history; live push comes with the streaming endpoint.
 */
export function createWebReplies(opts: { keep?: number } = {}) {
  const keep = opts.keep ?? 2000;
  const waiters = new Map<string, Array<(r: WebReply) => void>>();
  const recent = new Map<string, WebReply>();

  const deliver: DeliverPort = {
    async deliver(_threadKey, reply) {
      if (!reply.inReplyToId || reply.kind === 'notice') return;
      const r = { text: reply.text, kind: reply.kind };
      recent.set(reply.inReplyToId, r);
      if (recent.size > keep) recent.delete(recent.keys().next().value as string);
      for (const w of waiters.get(reply.inReplyToId) ?? []) w(r);
      waiters.delete(reply.inReplyToId);
    },
  };

  return {
    deliver,
    /** The reply to `messageId` once delivered, or undefined after `timeoutMs`. Call before handing the message in. */
    wait(messageId: string, timeoutMs: number): Promise<WebReply | undefined> {
      const known = recent.get(messageId);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        const list = waiters.get(messageId) ?? [];
        const done = (r: WebReply | undefined) => {
          clearTimeout(timer);
          resolve(r);
        };
        const timer = setTimeout(() => {
          const rest = (waiters.get(messageId) ?? []).filter((w) => w !== done);
          if (rest.length) waiters.set(messageId, rest);
          else waiters.delete(messageId);
          done(undefined);
        }, timeoutMs);
        timer.unref();
        list.push(done);
        waiters.set(messageId, list);
      });
    },
  };
}

export type WebReplies = ReturnType<typeof createWebReplies>;
