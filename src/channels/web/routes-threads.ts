import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ConversationsPort } from '../../conversations/types.js';
import type { ConversationRepository } from '../../store/repos/index.js';
import type { WebAuth } from './auth.js';
import { WebError } from './errors.js';
import type { WebReplies } from './replies.js';
import { historyReply, listThreadsQuery, type listThreadsReply, sendMessageBody, type sendMessageReply, threadParams } from './schemas.js';
import type { WebLiveMeter } from './live-frames.js';
import { chatterOf, handOver, inboundOf, readableThread } from './thread-access.js';
import { historyOf, newThreadId, threadIdOf, webThreadKey } from './threads.js';
import { parse } from './validate.js';

export interface ThreadRoutesDeps {
  auth: WebAuth;
  conversations: ConversationsPort;
  store: Pick<ConversationRepository, 'get' | 'listForCustomer'>;
  replies: WebReplies;
  /** How long a POST waits for the turn before answering `pending`. */
  turnWaitMs: number;
  clock: () => Date;
  meter: WebLiveMeter;
}

/** Start a thread, list the caller's threads, read a thread's history, send a message and get the reply. */
export function threadRoutes(app: FastifyInstance, deps: ThreadRoutesDeps): void {
  const chatter = (headers: Parameters<WebAuth['principal']>[0]) => chatterOf(deps.auth, headers);

  app.post('/threads', async (request, reply) => {
    const p = await chatter(request.headers);
    const threadId = newThreadId();
    webThreadKey(p, threadId);
    return reply.code(201).send({ threadId });
  });

  app.get('/threads', async (request) => {
    const p = await chatter(request.headers);
    if (p.kind !== 'customer') throw new WebError('unauthorized', 'Listing threads needs a customer (a token, or an API key with X-Helpline-Customer).');
    const { limit } = parse(listThreadsQuery, request.query, 'query');
    const threads = await deps.store.listForCustomer(p.customerId, limit);
    const body: z.infer<typeof listThreadsReply> = { threads: threads.map((t) => ({ threadId: threadIdOf(t.threadKey), channel: t.channel, createdAt: t.createdAt, updatedAt: t.updatedAt })) };
    return body;
  });

  app.get('/threads/:threadId/messages', async (request) => {
    const p = await chatter(request.headers);
    const { threadId } = parse(threadParams, request.params, 'path');
    const { conversation: c } = await readableThread(p, threadId, deps.store);
    return historyReply.parse({ threadId, channel: c?.channel, summary: c?.summary, messages: c ? historyOf(c.messages) : [] });
  });

  app.post('/threads/:threadId/messages', async (request, reply) => {
    const p = await chatter(request.headers);
    const { threadId } = parse(threadParams, request.params, 'path');
    const sent = parse(sendMessageBody, request.body, 'body');
    const { clientMessageId } = sent;
    const msg = inboundOf(p, threadId, sent, deps.clock());
    deps.meter.received('rest');
    const answered = deps.replies.wait(msg.id, deps.turnWaitMs);
    await handOver(deps.conversations, msg);
    const r = await answered;
    if (r?.kind === 'busy') {
      reply.header('Retry-After', '10');
      throw new WebError('unavailable', r.text);
    }
    const body: z.infer<typeof sendMessageReply> = r ? { threadId, clientMessageId, status: 'answered', reply: r } : { threadId, clientMessageId, status: 'pending' };
    return reply.code(r ? 200 : 202).send(body);
  });
}
