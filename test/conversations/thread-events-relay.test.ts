/**
 * Thread events of two instances joined by a relay: what conversations does with it, whatever carries it. The
 * relay here is an in-process pair that hands each event over at once (the PostgreSQL relay itself, with real
 * instances, is tested in test/channels/web/instances.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createThreadEvents } from '../../src/conversations/thread-events.js';
import type { ThreadEvent, ThreadResync } from '../../src/conversations/types.js';
import type { RelayReceiver, ThreadEventRelay } from '../../src/store/event-relay.js';

type Seen = ThreadEvent | ThreadResync;

/** Two relays that deliver to each other synchronously; `sent` counts what each published. */
function pair() {
  const ends = [0, 1].map(() => ({ watched: new Set<string>(), receiver: undefined as RelayReceiver | undefined, sent: 0 }));
  const relay = (me: number): ThreadEventRelay => {
    const self = ends[me]!;
    const other = ends[1 - me]!;
    return {
      watch: async (t) => { self.watched.add(t); },
      unwatch: (t) => { self.watched.delete(t); },
      watchedElsewhere: (t) => other.watched.has(t),
      publish: (t, p) => {
        self.sent++;
        if (other.watched.has(t)) other.receiver?.event(t, JSON.parse(JSON.stringify(p)));
      },
      receive: (r) => { self.receiver = r; },
      stats: () => ({ connected: true, sent: self.sent, received: 0, gaps: 0 }),
      start: async () => {},
      stop: async () => {},
    };
  };
  const hub = (me: number) => createThreadEvents({ log: silentLogger(), clock: () => new Date(), relay: relay(me) });
  return { a: hub(0), b: hub(1), ends };
}

const filter = (t: string) => ({ text: t, removed: 0 });

describe('thread events across instances (through a relay)', () => {
  it('a turn and a delivery on B reach a subscriber on A once, numbered by A; a retried delivery is not told twice', () => {
    const { a, b } = pair();
    const seen: Seen[] = [];
    a.subscribe('web:t', (e) => seen.push(e));
    const turn = b.forTurn('web:t', 'm1', filter);
    expect(turn).toBeDefined(); // B does not watch the thread, A does: B's model streams
    turn!({ type: 'text', text: 'Hello there ' });
    const reply = { kind: 'reply' as const, text: 'Hello there friend', inReplyToId: 'm1' };
    b.delivered('web:t', reply);
    b.delivered('web:t', reply); // the channel delivery was retried
    a.delivered('web:t', reply); // …or retried on A
    const events = seen as ThreadEvent[];
    expect(events.filter((e) => e.type === 'message')).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => e.stream === events[0]!.stream && e.id === `${e.stream}:${e.seq}`)).toBe(true);
    expect(a.cursor('web:t')).toBe(events.at(-1)!.id);
  });

  it('an event produced on A, which watches the thread, is not relayed back to A (no echo)', () => {
    const { a, b, ends } = pair();
    const onA: Seen[] = [];
    const onB: Seen[] = [];
    a.subscribe('web:t', (e) => onA.push(e));
    b.subscribe('web:t', (e) => onB.push(e));
    a.delivered('web:t', { kind: 'notice', text: 'approved', inReplyToId: 'n1' });
    expect(onA).toHaveLength(1);
    expect(onB).toHaveLength(1);
    expect(ends[1]!.sent).toBe(0);
  });

  it('a thread nobody watches anywhere: no turn listener and nothing relayed', () => {
    const { b, ends } = pair();
    expect(b.forTurn('slack:T:C:1', 'm1', filter)).toBeUndefined();
    b.delivered('slack:T:C:1', { kind: 'reply', text: 'hi', inReplyToId: 'm1' });
    expect(ends[1]!.sent).toBe(0);
  });

  it('a gap: the thread starts a new stream, its subscribers get resync, and an old cursor resyncs', () => {
    const { a, ends } = pair();
    const seen: Seen[] = [];
    a.subscribe('web:t', (e) => seen.push(e));
    a.delivered('web:t', { kind: 'notice', text: 'one', inReplyToId: 'n1' });
    const old = a.cursor('web:t');
    ends[0]!.receiver!.gap(undefined);
    expect(seen.at(-1)).toEqual({ type: 'resync', threadKey: 'web:t' });
    expect(a.cursor('web:t')).not.toBe(old);
    const late: Seen[] = [];
    a.subscribe('web:t', (e) => late.push(e), { after: old });
    expect(late).toEqual([{ type: 'resync', threadKey: 'web:t' }]);
  });
});
