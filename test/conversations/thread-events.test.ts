import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createOutboundPolicy, LINK_REMOVED } from '../../src/conversations/outbound-policy.js';
import { createReplyStream, replyFilter } from '../../src/conversations/reply-stream.js';
import { createThreadEvents } from '../../src/conversations/thread-events.js';
import type { ThreadEvent, ThreadEventBody, ThreadResync } from '../../src/conversations/types.js';

const hub = (over: { keepPerThread?: number; maxThreads?: number } = {}) => createThreadEvents({ log: silentLogger(), clock: () => new Date('2026-01-01T00:00:00Z'), ...over });
const text = (t: string): ThreadEventBody => ({ type: 'text', messageId: 'm1', text: t });
type Seen = ThreadEvent | ThreadResync;
const texts = (seen: Seen[]) => seen.map((e) => (e.type === 'text' ? e.text : e.type));

describe('thread events: numbered, resumable, once each', () => {
  it('numbers each thread on its own, one by one, and fans out to every subscriber', () => {
    const h = hub();
    const a: Seen[] = [];
    const b: Seen[] = [];
    h.subscribe('web:a', (e) => a.push(e));
    h.subscribe('web:a', (e) => b.push(e));
    h.publish('web:a', text('one'));
    h.publish('web:b', text('other thread'));
    h.publish('web:a', text('two'));
    expect(a.map((e) => (e as ThreadEvent).seq)).toEqual([1, 2]);
    expect(b).toEqual(a);
    expect(texts(a)).toEqual(['one', 'two']);
    expect((a[1] as ThreadEvent).id).toBe(h.cursor('web:a'));
  });

  it('a reconnecting client resumes after its last event: the rest once, then live, nothing twice', () => {
    const h = hub();
    const first: Seen[] = [];
    const stop = h.subscribe('web:a', (e) => first.push(e));
    for (const w of ['a', 'b', 'c']) h.publish('web:a', text(w));
    stop();
    h.publish('web:a', text('d')); // while disconnected
    const again: Seen[] = [];
    h.subscribe('web:a', (e) => again.push(e), { after: (first[1] as ThreadEvent).id });
    h.publish('web:a', text('e'));
    expect(texts(first)).toEqual(['a', 'b', 'c']);
    expect(texts(again)).toEqual(['c', 'd', 'e']);
    expect(again.map((e) => (e as ThreadEvent).seq)).toEqual([3, 4, 5]);
  });

  it('a cursor from before a restart, or too far behind, gets a resync first (reload the history), then live events', () => {
    const before = hub();
    before.cursor('web:a'); // watched
    before.publish('web:a', text('old'));
    const oldCursor = before.cursor('web:a');
    const after = hub(); // a new process
    const seen: Seen[] = [];
    after.subscribe('web:a', (e) => seen.push(e), { after: oldCursor });
    after.publish('web:a', text('new'));
    expect(texts(seen)).toEqual(['resync', 'new']);

    const small = hub({ keepPerThread: 3 });
    small.cursor('web:a');
    for (let i = 1; i <= 6; i++) small.publish('web:a', text(`t${i}`));
    const stream = small.cursor('web:a').split(':')[0];
    const behind: Seen[] = [];
    small.subscribe('web:a', (e) => behind.push(e), { after: `${stream}:2` });
    expect(texts(behind)).toEqual(['resync']);
    const justInTime: Seen[] = [];
    small.subscribe('web:a', (e) => justInTime.push(e), { after: `${stream}:3` });
    expect(texts(justInTime)).toEqual(['t4', 't5', 't6']);
    const garbage: Seen[] = [];
    small.subscribe('web:a', (e) => garbage.push(e), { after: 'not a cursor' });
    expect(texts(garbage)).toEqual(['resync']);
  });

  it('a delivery told twice (a retry) is one message event; a failing subscriber does not stop the others', () => {
    const h = hub();
    const seen: Seen[] = [];
    h.subscribe('web:a', () => {
      throw new Error('socket gone');
    });
    h.subscribe('web:a', (e) => seen.push(e));
    h.delivered('web:a', { text: 'Hello', kind: 'reply', inReplyToId: 'm1' });
    h.delivered('web:a', { text: 'Hello', kind: 'reply', inReplyToId: 'm1', maybeDelivered: true });
    h.delivered('web:a', { text: 'Approved.', kind: 'notice' });
    expect(seen.map((e) => (e.type === 'message' ? `${e.kind}:${e.text}` : e.type))).toEqual(['reply:Hello', 'notice:Approved.']);
  });

  it('a thread nobody watches (Slack, email, terminal) keeps nothing and its turns get no listener', () => {
    const h = hub();
    const filter = replyFilter({ kind: 'anonymous' }, undefined);
    expect(h.publish('slack:T:C:1', text('x'))).toBeUndefined();
    expect(h.forTurn('slack:T:C:1', 'm1', filter)).toBeUndefined();
    expect(h.stats().threads).toBe(0);
    const seen: Seen[] = [];
    h.subscribe('web:a', (e) => seen.push(e));
    h.forTurn('web:a', 'm1', filter)?.({ type: 'working', tool: 'get_account_balance' });
    expect(seen).toMatchObject([{ type: 'working', tool: 'get_account_balance', messageId: 'm1', seq: 1 }]);
  });

  it('keeps a bounded number of threads, forgetting idle ones without subscribers first', () => {
    const h = hub({ maxThreads: 2 });
    const live: Seen[] = [];
    h.subscribe('web:live', (e) => live.push(e));
    h.cursor('web:idle');
    h.publish('web:idle', text('x'));
    const idleCursor = h.cursor('web:idle');
    h.cursor('web:third');
    h.publish('web:third', text('y'));
    expect(h.stats().threads).toBe(2);
    h.publish('web:live', text('still here'));
    expect(texts(live)).toEqual(['still here']);
    const late: Seen[] = [];
    h.subscribe('web:idle', (e) => late.push(e), { after: idleCursor });
    expect(texts(late)).toEqual(['resync']);
  });
});

describe('reply stream: the reply as written, never what the outbound policy removes', () => {
  const policy = createOutboundPolicy({ allowedLinkDomains: ['bank.example'] });
  const hostile = 'Hello! Please verify at https://bank.example.evil.test/login?next=1 now, or www.evil.test, or evil-bank.com, or [here](http://evil.test/x).\nOur help is at https://bank.example/help and mail support@evil.test.';

  function run(pieces: string[], filter = replyFilter({ kind: 'anonymous' }, policy)) {
    const out: ThreadEventBody[] = [];
    const listener = createReplyStream('m1', filter, (b) => out.push(b));
    for (const p of pieces) listener({ type: 'text', text: p });
    const sent = out.map((b) => (b.type === 'text' ? b.text : '')).join('');
    return { out, sent };
  }

  it('whatever the cut of the pieces, what is sent is the start of the filtered reply and carries no disallowed link', () => {
    const final = policy.apply(hostile).text;
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 300; round++) {
      const pieces: string[] = [];
      for (let i = 0; i < hostile.length; ) {
        const n = 1 + Math.floor(rnd() * 12);
        pieces.push(hostile.slice(i, i + n));
        i += n;
      }
      const { sent } = run(pieces);
      expect(final.startsWith(sent)).toBe(true);
      expect(sent).not.toMatch(/evil\.test\/|www\.evil|evil-bank|bank\.example\.evil/u);
      expect(sent.length).toBeGreaterThan(final.length - 30); // all but the last word arrives early
    }
    expect(final).toContain(LINK_REMOVED);
    expect(final).toContain('https://bank.example/help');
  });

  it('holds a word back until it is whole: a link cut in pieces is never sent in part', () => {
    const { out } = run(['Go to https://ev', 'il.test/lo', 'gin', ' please']);
    expect(out).toEqual([{ type: 'text', messageId: 'm1', text: 'Go to' }, { type: 'text', messageId: 'm1', text: ` ${LINK_REMOVED}` }]);
  });

  it('staff sessions are not filtered, as their replies are not', () => {
    const { sent } = run(['See https://evil.test/x for', ' it'], replyFilter({ kind: 'staff', staffId: 'st_1' } as never, policy));
    expect(sent).toBe('See https://evil.test/x for');
  });

  it('retract is passed on only when text was sent; tool names pass, arguments never reach it', () => {
    const out: ThreadEventBody[] = [];
    const listener = createReplyStream('m1', replyFilter({ kind: 'anonymous' }, policy), (b) => out.push(b));
    listener({ type: 'retract' });
    listener({ type: 'text', text: 'Checking' });
    listener({ type: 'retract' });
    listener({ type: 'text', text: 'Let me check that. ' });
    listener({ type: 'retract' });
    listener({ type: 'working', tool: 'get_account_balance' });
    listener({ type: 'tool_done', tool: 'get_account_balance', ok: true });
    listener({ type: 'done', handoff: false });
    expect(out.map((b) => b.type)).toEqual(['text', 'retract', 'working', 'tool_done', 'turn_done']);
  });
});
