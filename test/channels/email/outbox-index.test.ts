import { describe, expect, it } from 'vitest';
import { createOutboxIndex } from '../../../src/channels/email/outbox-index.js';
import { pruneOutbox } from '../../../src/channels/email/outbox-prune.js';
import { emptyDb, type Db, type OutboxItem } from '../../../src/store/schema.js';

function item(n: number, over: Partial<OutboxItem> = {}, payload: Record<string, unknown> = {}): OutboxItem {
  return {
    id: `out_${n}`, channel: 'email', threadKey: `email:t${n % 3}`, status: 'pending', attempts: 0,
    nextAttemptAt: '2026-12-01T00:00:00.000Z', createdAt: `2026-12-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
    payload: { kind: 'reply', replyKind: 'answer', sourceId: `email:<m${n}@x>`, to: 'a@b.example', subject: 's', text: 't', ...payload },
    ...over,
  };
}

function db(items: OutboxItem[]): Db {
  const d = emptyDb();
  d.outbox = items;
  return d;
}

describe('outbox index', () => {
  it('finds items and queued replies, including ones appended after it was built', () => {
    const d = db(Array.from({ length: 50 }, (_, i) => item(i)));
    const ix = createOutboxIndex();
    expect(ix.position(d, 'out_7')).toBe(7);
    expect(ix.findReply(d, 'email:t1', 'email:<m7@x>', 'answer')?.id).toBe('out_7');
    expect(ix.findReply(d, 'email:t1', 'email:<m7@x>', 'busy')).toBeUndefined();
    expect(ix.findReply(d, 'email:t2', 'email:<m7@x>', 'answer')).toBeUndefined();
    d.outbox.push(item(50));
    expect(ix.position(d, 'out_50')).toBe(50);
    expect(ix.findReply(d, 'email:t2', 'email:<m50@x>', 'answer')?.id).toBe('out_50');
    expect(ix.position(d, 'out_missing')).toBe(-1);
  });

  it('stays right when another writer replaces, shrinks or reorders the array', () => {
    const d = db(Array.from({ length: 10 }, (_, i) => item(i, i < 6 ? { status: 'sent', sentAt: '2026-01-01T00:00:00.000Z' } : {})));
    const ix = createOutboxIndex();
    expect(ix.position(d, 'out_8')).toBe(8);
    expect(ix.findReply(d, 'email:t0', 'email:<m3@x>', 'answer')?.id).toBe('out_3');
    expect(pruneOutbox(d, '2026-06-01T00:00:00.000Z')).toBe(6); // the retention prune builds a new array
    expect(ix.position(d, 'out_8')).toBe(2);
    expect(ix.findReply(d, 'email:t0', 'email:<m3@x>', 'answer')).toBeUndefined();
    d.outbox.splice(0, 1); // shrinks in place
    expect(ix.position(d, 'out_8')).toBe(1);
    d.outbox.reverse(); // same length, moved
    expect(ix.position(d, 'out_8')).toBe(1);
    expect(ix.position(d, 'out_9')).toBe(0);
    expect(ix.findReply(d, 'email:t0', 'email:<m9@x>', 'answer')?.id).toBe('out_9');
  });

  it('lists exactly the pending items as they are sent, failed or added', () => {
    const d = db(Array.from({ length: 8 }, (_, i) => item(i)));
    const ix = createOutboxIndex();
    const ids = () => ix.pending(d).map((i) => i.id);
    expect(ids()).toHaveLength(8);
    for (const i of [0, 1, 2, 5]) (d.outbox[i] as OutboxItem).status = 'sent';
    (d.outbox[3] as OutboxItem).status = 'failed';
    expect(ids()).toEqual(['out_4', 'out_6', 'out_7']);
    d.outbox.push(item(8, {}, { kind: 'system' })); // system mail written by support, not through the index
    expect(ids()).toEqual(['out_4', 'out_6', 'out_7', 'out_8']);
    d.outbox = [item(20), ...d.outbox]; // replaced (a reload): an older pending item is seen again
    expect(ids()).toEqual(['out_20', 'out_4', 'out_6', 'out_7', 'out_8']);
  });
});
