/** Real clients of the live endpoints for tests: a `ws` WebSocket and an SSE reader over plain fetch streaming. */
import { WebSocket } from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: tests read frames by path and compare them with toEqual
export type Frame = Record<string, any>;

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface SocketClient {
  ws: WebSocket;
  frames: Frame[];
  send(frame: unknown): void;
  /** The first frame (from index `from`) that matches. */
  next(match: (f: Frame) => boolean, what: string, from?: number): Promise<Frame>;
  /** The thread events received, in order. */
  events(threadId?: string): Frame[];
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export async function openSocket(base: string): Promise<SocketClient> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/ws`);
  const frames: Frame[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws, frames, closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (match, what, from = 0) => until(() => frames.slice(from).find(match), what),
    events: (threadId) => frames.filter((f) => f['type'] === 'event' && (threadId === undefined || f['threadId'] === threadId)).map((f) => f['event'] as Frame),
    close: async () => {
      if (ws.readyState !== ws.CLOSED) ws.close();
      await closed;
    },
  };
}

/** A socket that has authenticated (token, or anonymous without one). */
export async function authedSocket(base: string, token?: string): Promise<SocketClient> {
  const s = await openSocket(base);
  s.send(token === undefined ? { type: 'auth' } : { type: 'auth', token });
  const ready = await s.next((f) => f['type'] === 'ready' || f['type'] === 'error', 'ready');
  if (ready['type'] !== 'ready') throw new Error(`auth failed: ${JSON.stringify(ready)}`);
  return s;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** Parsed events: `id` (when sent) and the JSON `data`. */
  events: Array<{ id: string | undefined; data: Frame }>;
  comments: string[];
  next(match: (e: { id: string | undefined; data: Frame }) => boolean, what: string): Promise<{ id: string | undefined; data: Frame }>;
  /** The body when the answer is not a stream (an error). */
  body: Promise<string>;
  close(): Promise<void>;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: SseClient['events'] = [];
  const comments: string[] = [];
  const streaming = res.headers.get('content-type')?.startsWith('text/event-stream') === true;
  const reading = (async () => {
    if (!streaming || !res.body) return res.text();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) events.push({ id, data: JSON.parse(data.join('\n')) as Frame });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close(), or the server ended the stream: what was read is in `events`
    }
    return '';
  })();
  return {
    status: res.status, headers: res.headers, events, comments, body: reading,
    next: (match, what) => until(() => events.find(match), what),
    close: async () => {
      abort.abort();
      await reading.catch(() => '');
    },
  };
}
