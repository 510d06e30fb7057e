import { describe, expect, it } from 'vitest';
import { indexGet, indexSet, ledgerGet, ledgerSet, migrateEmailState, recentDecisions, type LedgerEntry } from '../../../src/channels/email/email-state.js';
import { SHARDS, shardedMap } from '../../../src/channels/email/state-shards.js';
import { emptyDb } from '../../../src/store/schema.js';

const entry = (decision: LedgerEntry['decision'], at: string): LedgerEntry => ({ decision, reason: 'r', uid: 1, uidValidity: '1', at });

describe('sharded email state', () => {
  it('spreads a map over shards, each bounded to its share of the cap (oldest dropped first)', () => {
    const db = emptyDb();
    const m = shardedMap<number>('t.map', SHARDS * 2);
    for (let i = 0; i < SHARDS * 10; i++) m.set(db, `k${i}`, i);
    const shardKeys = Object.keys(db.state).filter((k) => k.startsWith('t.map/'));
    expect(shardKeys.length).toBeGreaterThan(SHARDS / 2);
    for (const k of shardKeys) expect(Object.keys(db.state[k] as object).length).toBeLessThanOrEqual(2);
    expect(m.entries(db).length).toBeLessThanOrEqual(SHARDS * 2);
    // the newest entry of every shard is kept, the first ones are gone
    expect(m.get(db, `k${SHARDS * 10 - 1}`)).toBe(SHARDS * 10 - 1);
    expect(m.get(db, 'k0')).toBeUndefined();
  });

  it('reads a map an older version kept as one record, and migrates it into the shards', () => {
    const db = emptyDb();
    db.state['email.index'] = { '<old@x>': { threadKey: 'email:<old@x>', dir: 'in' } };
    expect(indexGet(db, '<old@x>')).toEqual({ threadKey: 'email:<old@x>', dir: 'in' });
    indexSet(db, '<new@x>', { threadKey: 'email:<new@x>', dir: 'out' });
    migrateEmailState(db);
    expect(db.state['email.index']).toBeUndefined();
    expect(indexGet(db, '<old@x>')?.threadKey).toBe('email:<old@x>');
    expect(indexGet(db, '<new@x>')?.dir).toBe('out');
  });

  it('keeps pending ledger entries in email.ledger and moves decided ones to the shards', () => {
    const db = emptyDb();
    ledgerSet(db, '<a@x>', entry('pending', '2026-01-01T00:00:00.000Z'));
    expect((db.state['email.ledger'] as Record<string, LedgerEntry>)['<a@x>']?.decision).toBe('pending');
    ledgerSet(db, '<a@x>', entry('replied', '2026-01-01T00:00:01.000Z'));
    expect(db.state['email.ledger']).toEqual({});
    expect(ledgerGet(db, '<a@x>')?.decision).toBe('replied');
    ledgerSet(db, '<b@x>', entry('ignored', '2026-01-01T00:00:02.000Z'));
    expect(recentDecisions(db, 10).map((d) => d.messageId)).toEqual(['<b@x>', '<a@x>']);
  });

  it('migrates decided entries out of an old single ledger record, leaving pending ones', () => {
    const db = emptyDb();
    db.state['email.ledger'] = { '<d@x>': entry('replied', '2026-01-01T00:00:00.000Z'), '<p@x>': entry('pending', '2026-01-01T00:00:01.000Z') };
    expect(ledgerGet(db, '<d@x>')?.decision).toBe('replied');
    migrateEmailState(db);
    expect(Object.keys(db.state['email.ledger'] as object)).toEqual(['<p@x>']);
    expect(ledgerGet(db, '<d@x>')?.decision).toBe('replied');
    expect(ledgerGet(db, '<p@x>')?.decision).toBe('pending');
  });
});
