import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ConversationsPort } from '../../conversations/types.js';
import type { ConversationRepository } from '../../store/repos/index.js';
import type { WebAuth, WebPrincipal } from './auth.js';
import { WebError } from './errors.js';
import type { WebReplies } from './replies.js';
import { historyReply, listThreadsQuery, type listThreadsReply, sendMessageBody, type sendMessageReply, threadParams } from './schemas.js';
import { historyOf, newThreadId, ownedBy, readableThreadKey, threadIdOf, webThreadKey } from './threads.js';
import { parse } from './validate.js';

export interface ThreadRoutesDeps {
  auth: WebAuth;
  conversations: ConversationsPort;
  store: Pick<ConversationRepository, 'get' | 'listForCustomer'>;
  replies: WebReplies;
  /** How long a POST waits for the turn before answering `pending`. */
  turnWaitMs: number;
  clock: () => Date;
}

const VISITOR = 'web-visitor';

/** Start a thread, list the caller's threads, read a thread's history, send a message and get the reply. */
export function threadRoutes(app: FastifyInstance, deps: ThreadRoutesDeps): void {
  const chatter = async (headers: Parameters<WebAuth['principal']>[0]): Promise<WebPrincipal> => {
    const p = await deps.auth.principal(headers);
    if (p.kind === 'backend') throw new WebError('bad_request', 'An API key chats only for a customer: name one in X-Helpline-Customer.');
    return p;
  };

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
    const { threadKey, mustOwn } = readableThreadKey(p, threadId);
    const c = await deps.store.get(threadKey);
    if (mustOwn && (!c || !ownedBy(p, c))) throw new WebError('not_found', 'No such thread.');
    return historyReply.parse({ threadId, channel: c?.channel, summary: c?.summary, messages: c ? historyOf(c.messages) : [] });
  });

  app.post('/threads/:threadId/messages', async (request, reply) => {
    const p = await chatter(request.headers);
    const { threadId } = parse(threadParams, request.params, 'path');
    const threadKey = webThreadKey(p, threadId);
    const { clientMessageId, text } = parse(sendMessageBody, request.body, 'body');
    const id = `${threadKey}:${clientMessageId}`;
    const answered = deps.replies.wait(id, deps.turnWaitMs);
    const result = await deps.conversations.handle({
      id, channel: 'web', threadKey, text, receivedAt: deps.clock().toISOString(),
      sender: p.kind === 'customer' ? { id: p.customerId, verified: true } : { id: VISITOR, verified: false },
    });
    if (!result.accepted && result.reason === 'stopped') throw new WebError('unavailable', 'The assistant is shutting down; send the message again shortly.');
    const r = await answered;
    if (r?.kind === 'busy') {
      reply.header('Retry-After', '10');
      throw new WebError('unavailable', r.text);
    }
    const body: z.infer<typeof sendMessageReply> = r ? { threadId, clientMessageId, status: 'answered', reply: r } : { threadId, clientMessageId, status: 'pending' };
    return reply.code(r ? 200 : 202).send(body);
  });
}
