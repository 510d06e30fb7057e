import { randomUUID } from 'node:crypto';
import type { TurnListener } from '../agent/types.js';
import type { Logger } from '../config/logger.js';
import { createReplyStream, type ReplyFilter } from './reply-stream.js';
import type { OutboundReply, ThreadEvent, ThreadEventBody, ThreadEventListener, ThreadEventsPort } from './types.js';

export interface ThreadEventsDeps {
  log: Logger;
  clock: () => Date;
  /** Events kept per thread for a client that reconnects (default 256). */
  keepPerThread?: number | undefined;
  /** Threads kept (least recently active without a subscriber are forgotten first; default 1000). */
  maxThreads?: number | undefined;
}

interface ThreadState {
  stream: string;
  seq: number;
  /** The seq a cursor must be at least at for a replay: the last event no longer kept (or 0). */
  floor: number;
  kept: Array<{ event: ThreadEvent; key?: string | undefined }>;
  listeners: Set<ThreadEventListener>;
}

/**
 * Per-thread event streams in memory: numbered, kept in a small ring for resumption, fanned out to subscribers.
 * Only threads a channel watches (subscribed to, or asked the cursor of, in this process) have events. Nothing here
 * survives a restart (a new stream id then makes old cursors resync); the durable record is the ledger reply and
 * the transcript.
 */
export function createThreadEvents(deps: ThreadEventsDeps) {
  const { log, clock } = deps;
  const keep = deps.keepPerThread ?? 256;
  const maxThreads = deps.maxThreads ?? 1000;
  const instance = randomUUID().slice(0, 8);
  let streams = 0;
  const threads = new Map<string, ThreadState>();

  /** Mark a thread most recently active; forget the least recently active threads without subscribers over the bound. */
  function touch(threadKey: string, t: ThreadState): ThreadState {
    threads.delete(threadKey);
    threads.set(threadKey, t);
    for (const [key, other] of threads) {
      if (threads.size <= maxThreads) break;
      if (other.listeners.size === 0 && key !== threadKey) threads.delete(key);
    }
    return t;
  }

  /** A watched thread's state; a thread becomes watched when a channel subscribes to it or asks for its cursor. */
  function watch(threadKey: string): ThreadState {
    return touch(threadKey, threads.get(threadKey) ?? { stream: `${instance}.${++streams}`, seq: 0, floor: 0, kept: [], listeners: new Set() });
  }

  function tell(listener: ThreadEventListener, event: Parameters<ThreadEventListener>[0]): void {
    try {
      listener(event);
    } catch (err) {
      log.warn({ threadKey: event.threadKey, err: String(err) }, 'thread event listener failed');
    }
  }

  /**
   * Number and send an event of a watched thread (others have nobody to tell: nothing is kept); with `key`, not again
   * while an event with the same key is kept (a delivery retried).
   */
  function publish(threadKey: string, body: ThreadEventBody, key?: string): ThreadEvent | undefined {
    const found = threads.get(threadKey);
    if (!found) return undefined;
    const t = touch(threadKey, found);
    if (key && t.kept.some((k) => k.key === key)) return undefined;
    const seq = ++t.seq;
    const event = { ...body, threadKey, stream: t.stream, seq, id: `${t.stream}:${seq}`, at: clock().toISOString() } as ThreadEvent;
    t.kept.push({ event, key });
    if (t.kept.length > keep) t.floor = t.kept.shift()!.event.seq;
    for (const l of [...t.listeners]) tell(l, event);
    return event;
  }

  const subscribe: ThreadEventsPort['subscribe'] = (threadKey, listener, opts = {}) => {
    const t = watch(threadKey);
    if (opts.after !== undefined) {
      const at = opts.after.lastIndexOf(':');
      const stream = opts.after.slice(0, at);
      const seq = Number(opts.after.slice(at + 1));
      if (at < 0 || stream !== t.stream || !Number.isInteger(seq) || seq < t.floor || seq > t.seq) tell(listener, { type: 'resync', threadKey });
      else for (const k of t.kept) if (k.event.seq > seq) tell(listener, k.event);
    }
    t.listeners.add(listener);
    return () => {
      t.listeners.delete(listener);
    };
  };

  return {
    publish,
    subscribe,
    cursor: (threadKey: string) => {
      const t = watch(threadKey);
      return `${t.stream}:${t.seq}`;
    },
    /**
     * The listener for one turn of a watched thread: its events, the reply text through `filter` (reply-stream.ts).
     * None for a thread nobody watches (Slack, email, the terminal): the model is then not asked to report text.
     */
    forTurn(threadKey: string, messageId: string, filter: ReplyFilter): TurnListener | undefined {
      if (!threads.has(threadKey)) return undefined;
      return createReplyStream(messageId, filter, (body) => publish(threadKey, body));
    },
    /** What a channel delivered into the thread, once per message it answers or notice it names. */
    delivered(threadKey: string, reply: OutboundReply): void {
      publish(threadKey, { type: 'message', kind: reply.kind, text: reply.text, ...(reply.inReplyToId ? { inReplyToId: reply.inReplyToId } : {}) }, reply.inReplyToId ? `${reply.kind}:${reply.inReplyToId}` : undefined);
    },
    /** Threads kept and subscriptions open (a channel's connections that ended must leave none behind). */
    stats: () => ({ threads: threads.size, subscribers: [...threads.values()].reduce((n, t) => n + t.listeners.size, 0) }),
  };
}

export type ThreadEvents = ReturnType<typeof createThreadEvents>;
