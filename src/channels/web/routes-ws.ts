import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Writable } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { createRateLimiter } from '../http/rate-limit.js';
import type { WebPrincipal } from './auth.js';
import { WebError } from './errors.js';
import { type ClientFrame, clientEvent, clientFrameSchema, MAX_FRAME_BYTES } from './live-frames.js';
import type { LiveDeps } from './live-deps.js';
import { endAtExpiry, handOver, inboundOf, readableThread, tokenPrincipal } from './thread-access.js';

const AUTH_TIMEOUT_MS = 10_000;
const MAX_SUBSCRIPTIONS = 20;
/** A client that lets this much pile up unread is too slow to follow: it is closed (it can resume after its last id). */
const MAX_BUFFERED = 1024 * 1024;
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_RATE_LIMITED = 4429;

/**
 * GET /api/v1/ws: the first frame authenticates (`auth` with a customer token, or none: anonymous; never an API key),
 * then `subscribe` / `unsubscribe` / `message` frames; the server pushes `event` frames. Every frame is validated;
 * a bad one is answered `error` and the connection goes on.
 */
export async function wsRoutes(app: FastifyInstance, deps: LiveDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  app.route({
    method: 'GET', url: '/ws',
    handler: async () => {
      throw new WebError('bad_request', 'This endpoint speaks WebSocket only: connect with an Upgrade request.');
    },
    wsHandler: (socket, request) => serveSocket(socket, request.raw.socket, deps),
  });
}

/**
 * Frames sent in one go (a model's streamed pieces often arrive together, each one an event) leave in one write
 * instead of one system call each: the first frame of a tick corks the connection, the next tick uncorks it.
 */
function batchWrites(raw: Writable | undefined): () => void {
  let corked = false;
  return () => {
    if (!raw || corked) return;
    corked = true;
    raw.cork();
    process.nextTick(() => {
      corked = false;
      raw.uncork();
    });
  };
}

function serveSocket(socket: WebSocket, raw: Writable | undefined, deps: LiveDeps): void {
  const { meter, log } = deps;
  meter.opened('ws');
  let principal: WebPrincipal | undefined;
  const subscriptions = new Map<string, () => void>();
  const frames = createRateLimiter({ limit: deps.rate.perIpMinute, windowMs: 60_000, maxKeys: 1 });
  const messages = createRateLimiter({ limit: deps.rate.perCustomerMinute, windowMs: 60_000, maxKeys: 1 });

  const batch = batchWrites(raw);
  const send = (frame: Record<string, unknown>) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED) return socket.close(1013, 'too slow');
    const text = JSON.stringify(frame);
    batch();
    socket.send(text);
    meter.sent('ws', Buffer.byteLength(text));
  };
  const fail = (code: string, message: string, extra: Record<string, unknown> = {}) => send({ type: 'error', code, message, ...extra });

  const authTimer = setTimeout(() => socket.close(CLOSE_UNAUTHORIZED, 'no auth frame'), AUTH_TIMEOUT_MS);
  let stopExpiry = () => {};
  let alive = true;
  const keepalive = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  }, deps.pingMs);
  socket.on('pong', () => {
    alive = true;
  });

  async function onFrame(frame: ClientFrame): Promise<void> {
    if (!principal) {
      if (frame.type !== 'auth') throw new WebError('unauthorized', 'Authenticate first: {"type":"auth","token":"…"} or {"type":"auth"}.');
      principal = frame.token === undefined ? { kind: 'anonymous' } : await tokenPrincipal(deps.auth, frame.token);
      clearTimeout(authTimer);
      stopExpiry = endAtExpiry(frame.token, deps.clock(), () => {
        fail('unauthorized', 'The token expired: connect again with a fresh one and resume after your last event id.');
        socket.close(CLOSE_UNAUTHORIZED, 'token expired');
      });
      return send({ type: 'ready', caller: principal.kind });
    }
    const p = principal;
    switch (frame.type) {
      case 'auth': return fail('bad_input', 'Already authenticated.');
      case 'unsubscribe':
        subscriptions.get(frame.threadId)?.();
        subscriptions.delete(frame.threadId);
        return send({ type: 'unsubscribed', threadId: frame.threadId });
      case 'subscribe': {
        const { threadId } = frame;
        const { threadKey } = await readableThread(p, threadId, deps.store);
        await deps.events.watching(threadKey); // other instances relay its events before we confirm
        if (socket.readyState !== socket.OPEN) return; // closed meanwhile: nothing to follow, nothing to leave behind
        subscriptions.get(threadId)?.();
        subscriptions.delete(threadId);
        if (subscriptions.size >= MAX_SUBSCRIPTIONS) return fail('bad_input', `At most ${MAX_SUBSCRIPTIONS} threads per connection.`, { threadId });
        send({ type: 'subscribed', threadId, cursor: deps.events.cursor(threadKey) });
        subscriptions.set(threadId, deps.events.subscribe(threadKey, (e) => send({ type: 'event', threadId, event: clientEvent(e) }), { after: frame.after }));
        return;
      }
      case 'message': {
        if (!messages.hit('m')) return fail('rate_limited', 'Too many messages on this connection: slow down.', { threadId: frame.threadId });
        deps.limit(p); // the customer's own limit, across all their connections and requests
        meter.received('ws');
        const r = await handOver(deps.conversations, inboundOf(p, frame.threadId, frame, deps.clock()));
        return send({ type: 'accepted', threadId: frame.threadId, clientMessageId: frame.clientMessageId, outcome: r.accepted ? 'accepted' : (r.reason ?? 'accepted') });
      }
    }
  }

  async function onMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (!frames.hit('f')) return fail('rate_limited', 'Too many frames on this connection: slow down.');
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(String(data));
    } catch {
      json = undefined;
    }
    const parsed = clientFrameSchema.safeParse(json);
    if (!parsed.success) return fail('bad_input', `Invalid frame: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; ')}`);
    try {
      await onFrame(parsed.data);
    } catch (err) {
      const threadId = 'threadId' in parsed.data ? { threadId: parsed.data.threadId } : {};
      if (!(err instanceof WebError)) {
        log.error({ err, frame: parsed.data.type }, 'web socket frame failed');
        return fail('internal', 'Something went wrong on our side.', threadId);
      }
      fail(err.code === 'bad_request' ? 'bad_input' : err.code, err.message, threadId);
      if (!principal) socket.close(err.code === 'rate_limited' ? CLOSE_RATE_LIMITED : CLOSE_UNAUTHORIZED, err.code);
    }
  }

  // Frames are handled one after the other, in order (a subscribe before the message it is to follow).
  let chain = Promise.resolve();
  socket.on('message', (data, isBinary) => {
    chain = chain.then(() => onMessage(data, isBinary)).catch((err) => log.error({ err }, 'web socket frame failed'));
  });
  socket.on('error', (err) => log.debug({ err: String(err) }, 'web socket error'));
  socket.on('close', () => {
    clearTimeout(authTimer);
    stopExpiry();
    clearInterval(keepalive);
    for (const end of subscriptions.values()) end();
    subscriptions.clear();
    meter.closed('ws');
  });
}
