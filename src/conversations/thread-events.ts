import { randomUUID } from 'node:crypto';
import type { TurnListener } from '../agent/types.js';
import type { Logger } from '../config/logger.js';
import { localRelay, type RelayPayload, type ThreadEventRelay } from '../store/event-relay.js';
import { createReplyStream, type ReplyFilter } from './reply-stream.js';
import type { OutboundReply, ThreadEvent, ThreadEventBody, ThreadEventListener, ThreadEventsPort } from './types.js';

export interface ThreadEventsDeps {
  log: Logger;
  clock: () => Date;
  /** Events kept per thread for a client that reconnects (default 256). */
  keepPerThread?: number | undefined;
  /** Threads kept (least recently active without a subscriber are forgotten first; default 1000). */
  maxThreads?: number | undefined;
  /** Carries events to and from other instances on the same database (default: none, one process). */
  relay?: ThreadEventRelay | undefined;
}

interface ThreadState {
  stream: string;
  seq: number;
  /** The seq a cursor must be at least at for a replay: the last event no longer kept (or 0). */
  floor: number;
  kept: Array<{ event: ThreadEvent; key?: string | undefined }>;
  listeners: Set<ThreadEventListener>;
  /** Resolves once other instances know this one watches the thread (they relay its events from then on). */
  ready: Promise<void>;
}

/**
 * Per-thread event streams in memory: numbered, kept in a small ring for resumption, fanned out to subscribers.
 * Only threads a channel watches (subscribed to, or asked the cursor of, in this process) have events. Nothing here
 * survives a restart (a new stream id then makes old cursors resync); the durable record is the ledger reply and
 * the transcript.
 *
 * With several instances (`relay`): an event produced here is also sent to the instances that watch its thread, and
 * one they send is numbered here, in this instance's stream of the thread (so a cursor resumes on the instance that
 * gave it; elsewhere it resyncs). The relay never echoes an instance's own events, so none is told twice; a retried
 * delivery is dropped by its key on every instance. When relayed events may have been lost, the thread starts a new
 * stream and its subscribers get `resync`.
 */
export function createThreadEvents(deps: ThreadEventsDeps) {
  const { log, clock } = deps;
  const keep = deps.keepPerThread ?? 256;
  const maxThreads = deps.maxThreads ?? 1000;
  const instance = randomUUID().slice(0, 8);
  const relay = deps.relay ?? localRelay();
  let streams = 0;
  const threads = new Map<string, ThreadState>();

  /** Mark a thread most recently active; forget the least recently active threads without subscribers over the bound. */
  function touch(threadKey: string, t: ThreadState): ThreadState {
    threads.delete(threadKey);
    threads.set(threadKey, t);
    for (const [key, other] of threads) {
      if (threads.size <= maxThreads) break;
      if (other.listeners.size > 0 || key === threadKey) continue;
      threads.delete(key);
      relay.unwatch(key);
    }
    return t;
  }

  /** A watched thread's state; a thread becomes watched when a channel subscribes to it or asks for its cursor. */
  function watch(threadKey: string): ThreadState {
    const found = threads.get(threadKey);
    return touch(threadKey, found ?? { stream: `${instance}.${++streams}`, seq: 0, floor: 0, kept: [], listeners: new Set(), ready: relay.watch(threadKey) });
  }

  function tell(listener: ThreadEventListener, event: Parameters<ThreadEventListener>[0]): void {
    try {
      listener(event);
    } catch (err) {
      log.warn({ threadKey: event.threadKey, err: String(err) }, 'thread event listener failed');
    }
  }

  /** Number an event in this instance's stream of the thread, keep it, tell the subscribers here. */
  function record(threadKey: string, t: ThreadState, body: ThreadEventBody, key: string | undefined, at: string): ThreadEvent {
    const seq = ++t.seq;
    const event = { ...body, threadKey, stream: t.stream, seq, id: `${t.stream}:${seq}`, at } as ThreadEvent;
    t.kept.push({ event, key });
    if (t.kept.length > keep) t.floor = t.kept.shift()!.event.seq;
    for (const l of [...t.listeners]) tell(l, event);
    return event;
  }

  const isRepeat = (t: ThreadState, key: string | undefined) => key !== undefined && t.kept.some((k) => k.key === key);

  /**
   * Send an event of a thread watched here or by another instance (others have nobody to tell: nothing is kept);
   * with `key`, not again while an event with the same key is kept (a delivery retried).
   */
  function publish(threadKey: string, body: ThreadEventBody, key?: string): ThreadEvent | undefined {
    const found = threads.get(threadKey);
    if (found && isRepeat(found, key)) return undefined;
    const at = clock().toISOString();
    const event = found ? record(threadKey, touch(threadKey, found), body, key, at) : undefined;
    // After the subscribers here: sending (serializing a statement) does not delay them.
    if (relay.watchedElsewhere(threadKey)) relay.publish(threadKey, { body, at, ...(key ? { key } : {}) });
    return event;
  }

  /** An event another instance produced (through the relay): numbered here, unless it is a repeat. */
  function received(threadKey: string, p: RelayPayload): void {
    const t = threads.get(threadKey);
    const body = p['body'] as ThreadEventBody | undefined;
    const key = typeof p['key'] === 'string' ? p['key'] : undefined;
    if (!t || typeof body?.type !== 'string' || isRepeat(t, key)) return;
    record(threadKey, touch(threadKey, t), body, key, typeof p['at'] === 'string' ? p['at'] : clock().toISOString());
  }

  /** Relayed events may be lost: a new stream (old cursors resync), and the subscribers reload the history. */
  function restart(threadKey: string, t: ThreadState): void {
    Object.assign(t, { stream: `${instance}.${++streams}`, seq: 0, floor: 0, kept: [] });
    for (const l of [...t.listeners]) tell(l, { type: 'resync', threadKey });
  }

  relay.receive({
    event: received,
    gap: (threadKey) => {
      for (const [key, t] of threads) if (threadKey === undefined || key === threadKey) restart(key, t);
    },
  });

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
    watching: (threadKey: string) => watch(threadKey).ready,
    /**
     * The listener for one turn of a thread watched here or by another instance: its events, the reply text through
     * `filter` (reply-stream.ts). None for a thread nobody watches (Slack, email, the terminal): the model is then not
     * asked to report text.
     */
    forTurn(threadKey: string, messageId: string, filter: ReplyFilter): TurnListener | undefined {
      if (!threads.has(threadKey) && !relay.watchedElsewhere(threadKey)) return undefined;
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
