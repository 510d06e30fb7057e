/** The live protocol's shapes (WebSocket frames, SSE data), validated with zod, and the meter the app counts them with. */
import { z } from 'zod';
import type { ThreadEvent, ThreadResync } from '../../conversations/types.js';
import { sendMessageBody, threadIdSchema } from './schemas.js';

/** Largest frame a client may send over the socket (bigger ones close it with 1009). */
export const MAX_FRAME_BYTES = 16 * 1024;

export const eventIdSchema = z.string().min(3).max(200).describe('The id of the last event the client saw (`<stream>:<seq>`).');

const { clientMessageId, text } = sendMessageBody.shape;
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(4096).optional() }),
  z.strictObject({ type: z.literal('subscribe'), threadId: threadIdSchema, after: eventIdSchema.optional() }),
  z.strictObject({ type: z.literal('unsubscribe'), threadId: threadIdSchema }),
  z.strictObject({ type: z.literal('message'), threadId: threadIdSchema, clientMessageId, text }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export const eventsQuery = z.strictObject({
  access_token: z.string().min(1).max(4096).optional().describe('A customer token (never an API key): EventSource cannot send headers.'),
  after: eventIdSchema.optional(),
});

/** An event as a client sees it: no thread key (it names the customer) and no stream (it is inside the id). */
export function clientEvent(e: ThreadEvent | ThreadResync): Record<string, unknown> {
  if (e.type === 'resync') return { type: 'resync' };
  const { threadKey: _key, stream: _stream, ...rest } = e;
  return rest;
}

export type LiveTransport = 'ws' | 'sse';

/** What the app counts of the live endpoints (wired to Prometheus in src/wiring/web.ts). */
export interface WebLiveMeter {
  opened(t: LiveTransport): void;
  closed(t: LiveTransport): void;
  /** A chat message received (`rest`: POST /threads/:id/messages). */
  received(t: LiveTransport | 'rest'): void;
  sent(t: LiveTransport, bytes: number): void;
}

export const NO_METER: WebLiveMeter = { opened() {}, closed() {}, received() {}, sent() {} };
