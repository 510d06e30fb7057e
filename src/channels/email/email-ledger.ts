/**
 * `email.ledger`: Message-ID → decision (replied / ignored / quarantined / budget / busy / pending) + why. The
 * record of every decision, and the dedupe key across UIDVALIDITY changes. Messages in flight ('pending': handed
 * over, not yet accepted) sit in the small record `email.ledger`; a decided entry moves to the hash shards
 * `email.ledger/xx` (see state-shards: a write journals one shard, not the whole ledger), bounded by LEDGER_CAP.
 * Runs inside `store.update` (or reads a snapshot), synchronously.
 */
import type { Db } from '../../store/schema.js';
import { shardedMap } from './state-shards.js';

export const LEDGER_CAP = 20_000;
/** In-flight ('pending') entries kept at most; past it the oldest go (a crash loop never grows it). */
const INFLIGHT_CAP = 2_000;
const INFLIGHT = 'email.ledger';

export type Decision = 'pending' | 'replied' | 'ignored' | 'quarantined' | 'budget' | 'busy';
export interface LedgerEntry {
  decision: Decision;
  reason: string;
  uid: number;
  uidValidity: string;
  from?: string | undefined;
  threadKey?: string | undefined;
  at: string;
}

const ledger = shardedMap<LedgerEntry>('email.ledger', LEDGER_CAP, { legacy: false }); // `email.ledger` itself: in flight

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function inflight(db: Readonly<Db>): Readonly<Record<string, LedgerEntry>> | undefined {
  const cur = db.state[INFLIGHT];
  return isObj(cur) ? (cur as Record<string, LedgerEntry>) : undefined;
}

/** Decided entries of a single ledger record kept by an older version → the shards; pending ones stay. */
export function migrateLedger(db: Db): void {
  const cur = inflight(db);
  if (!cur) return;
  for (const k of Object.keys(cur)) {
    const e = cur[k] as LedgerEntry;
    if (e.decision === 'pending') continue;
    if (ledger.get(db, k) === undefined) ledger.set(db, k, e);
    delete (db.state[INFLIGHT] as Record<string, LedgerEntry>)[k];
  }
}

export function ledgerGet(db: Readonly<Db>, messageId: string): LedgerEntry | undefined {
  const f = inflight(db);
  return (f && Object.hasOwn(f, messageId) ? f[messageId] : undefined) ?? ledger.get(db, messageId);
}

/** A 'pending' entry goes to the in-flight record; a decision moves it to the ledger's shards. */
export function ledgerSet(db: Db, messageId: string, entry: LedgerEntry): void {
  const cur = inflight(db);
  if (entry.decision !== 'pending') {
    if (cur && Object.hasOwn(cur, messageId)) delete (db.state[INFLIGHT] as Record<string, LedgerEntry>)[messageId];
    ledger.set(db, messageId, entry);
    return;
  }
  if (!cur) db.state[INFLIGHT] = {};
  const f = db.state[INFLIGHT] as Record<string, LedgerEntry>;
  delete f[messageId];
  f[messageId] = entry;
  ledger.delete(db, messageId);
  const keys = Object.keys(f);
  if (keys.length <= INFLIGHT_CAP) return;
  migrateLedger(db); // a record from an older version also holds decided entries: move those out first
  const left = Object.keys(f);
  for (let i = 0; i < left.length - INFLIGHT_CAP; i++) delete f[left[i] as string];
}

/** Recent decisions, newest first (for status pages and tests; reads the whole ledger). */
export function recentDecisions(db: Readonly<Db>, limit = 50): Array<LedgerEntry & { messageId: string }> {
  const all = ledger.entries(db).map(([k, e]) => ({ ...e, messageId: k }));
  const f = inflight(db);
  if (f) for (const k of Object.keys(f)) all.push({ ...(f[k] as LedgerEntry), messageId: k });
  return all.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
