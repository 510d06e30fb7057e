/**
 * One benchmark session of the web channel, as a browser would hold it: a `ws` WebSocket to /api/v1/ws authenticated
 * with a customer token, a new thread (POST /api/v1/threads) it subscribes to, then messages one after the other.
 * Event-driven (no polling): a turn's times are taken when the frames arrive. It checks what a user would notice:
 * every message accepted, its reply and turn_done received, event seqs rising by one with none missing, no error
 * frame, no early close.
 */
import { WebSocket } from 'ws';

type Frame = Record<string, unknown> & { type?: string };

export interface TurnTimes {
  /** Sending the message frame → its `message` event (kind reply): what the user waits for. */
  replyMs: number;
  /** Sending → the `accepted` frame. */
  acceptedMs: number;
  /** Sending → the first `text` event (the reply starts to show). */
  firstTextMs: number;
}

export interface Session {
  threadId: string;
  /** Frames and events that were wrong (errors, gaps in seq, other reply kinds); 0 in a clean run. */
  problems: string[];
  /** Events received since subscribing. */
  events: number;
  turn(clientMessageId: string, text: string, timeoutMs: number): Promise<TurnTimes>;
  close(): Promise<void>;
}

export async function openSession(base: string, token: string, customerId: string): Promise<Session> {
  const res = await fetch(`${base}/api/v1/threads`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 201) throw new Error(`POST /threads: ${res.status} ${await res.text()}`);
  const { threadId } = (await res.json()) as { threadId: string };
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/ws`);
  const problems: string[] = [];
  let waiter: ((f: Frame, at: number) => void) | undefined;
  let lastSeq: number | undefined;
  let events = 0;
  let closing = false;
  const closed = new Promise<void>((resolve) => ws.once('close', (code) => {
    if (!closing) problems.push(`closed by the server (${code})`);
    resolve();
  }));
  ws.on('message', (data) => {
    const at = performance.now();
    const f = JSON.parse(String(data)) as Frame;
    if (f.type === 'error') problems.push(`error frame: ${JSON.stringify(f).slice(0, 200)}`);
    if (f.type === 'event') {
      events++;
      const seq = (f['event'] as { seq: number }).seq;
      if (lastSeq !== undefined && seq !== lastSeq + 1) problems.push(`event seq ${seq} after ${lastSeq}: frames lost`);
      lastSeq = seq;
    }
    waiter?.(f, at);
  });
  const next = (match: (f: Frame) => boolean, what: string, timeoutMs = 30_000) => new Promise<Frame>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    waiter = (f) => {
      if (!match(f)) return;
      clearTimeout(timer);
      waiter = undefined;
      resolve(f);
    };
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const send = (frame: Frame) => ws.send(JSON.stringify(frame));
  const ready = next((f) => f.type === 'ready' || f.type === 'error', 'ready');
  send({ type: 'auth', token });
  if ((await ready).type !== 'ready') throw new Error('auth refused');
  const subscribed = next((f) => f.type === 'subscribed' || f.type === 'error', 'subscribed');
  send({ type: 'subscribe', threadId });
  if ((await subscribed).type !== 'subscribed') throw new Error('subscribe refused');
  const threadKey = `web:${customerId}:${threadId}`;

  return {
    threadId, problems,
    get events() { return events; },
    turn(clientMessageId, text, timeoutMs) {
      const messageId = `${threadKey}:${clientMessageId}`;
      let acceptedAt = Number.NaN;
      let firstTextAt = Number.NaN;
      let turnDone = false;
      let replyAt = Number.NaN;
      const t0 = performance.now();
      const done = new Promise<TurnTimes>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${clientMessageId} within ${timeoutMs} ms`)), timeoutMs);
        waiter = (f, at) => {
          if (f.type === 'error') {
            clearTimeout(timer);
            waiter = undefined;
            reject(new Error(`${clientMessageId}: error frame ${String(f['code'])}`));
            return;
          }
          if (f.type === 'accepted' && f['clientMessageId'] === clientMessageId) {
            acceptedAt = at;
            if (f['outcome'] !== 'accepted') problems.push(`${clientMessageId}: outcome ${String(f['outcome'])}`);
          }
          if (f.type !== 'event') return;
          const e = f['event'] as Frame;
          if (e.type === 'text' && e['messageId'] === messageId && Number.isNaN(firstTextAt)) firstTextAt = at;
          if (e.type === 'turn_failed') problems.push(`${clientMessageId}: turn_failed ${String(e['code'])}`);
          if (e.type === 'turn_done' && e['messageId'] === messageId) turnDone = true;
          if (e.type === 'message' && e['inReplyToId'] === messageId) {
            if (e['kind'] !== 'reply') problems.push(`${clientMessageId}: a ${String(e['kind'])} message instead of the reply`);
            replyAt = at;
          }
          if (turnDone && !Number.isNaN(replyAt)) {
            clearTimeout(timer);
            waiter = undefined;
            resolve({ replyMs: replyAt - t0, acceptedMs: acceptedAt - t0, firstTextMs: firstTextAt - t0 });
          }
        };
      });
      send({ type: 'message', threadId, clientMessageId, text });
      return done;
    },
    async close() {
      closing = true;
      ws.close();
      await closed;
    },
  };
}
