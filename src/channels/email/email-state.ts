/**
 * The email channel's own state, kept in the store's `state` collection under `email.*` keys.
 * Every function here runs inside `store.update` (or reads a snapshot); all are synchronous and pure
 * apart from mutating the given db.
 *
 * - `email.sync`        `{ uidValidity, lastUid }`: IMAP progress (never the \Seen flag).
 * - `email.ledger`(+`/xx`) Message-ID → decision: see email-ledger.
 * - `email.threads/xx`  threadKey → the thread's customer address, subject, last inbound Message-ID, references.
 * - `email.index/xx`    Message-ID (received and sent) → threadKey, for threading replies.
 * - `email.undeliverable` address → until when we do not send to it (bounces, SMTP 5xx).
 * The big maps are hash-sharded (see state-shards: a write journals one shard, not the whole map) and bounded:
 * the oldest entries of a shard are dropped past its share of the cap. `migrateEmailState` moves maps written
 * by older versions (one record per map) into the shards; until then they are still read.
 */
import type { Db } from '../../store/schema.js';
import { migrateLedger } from './email-ledger.js';
import { shardedMap } from './state-shards.js';

export { LEDGER_CAP, ledgerGet, ledgerSet, recentDecisions, type Decision, type LedgerEntry } from './email-ledger.js';

export const INDEX_CAP = 50_000;
export const THREAD_CAP = 20_000;
export const REFERENCES_CAP = 11;

export interface SyncState { uidValidity: string; lastUid: number; updatedAt: string }

export interface ThreadInfo {
  customerEmail: string;
  subject: string;
  lastInboundId: string;
  references: string[];
  createdAt: string;
  updatedAt: string;
}

export interface IndexEntry { threadKey: string; dir: 'in' | 'out' }
export interface Undeliverable { until: string; reason: string }

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const threads = shardedMap<ThreadInfo>('email.threads', THREAD_CAP);
const index = shardedMap<IndexEntry>('email.index', INDEX_CAP);

/**
 * Move the email maps an older version kept as one record each into their shards (one write, at start).
 * Decided ledger entries leave the in-flight record; pending ones stay in it.
 */
export function migrateEmailState(db: Db): void {
  threads.migrate(db);
  index.migrate(db);
  if (Object.hasOwn(db.state, 'email.capChecks')) delete db.state['email.capChecks'];
  migrateLedger(db);
}

/** `<id@host>` form, trimmed; '' for nothing usable. */
export function normalizeMessageId(id: string | undefined | null): string {
  const t = (id ?? '').trim();
  if (!t) return '';
  const inner = t.replace(/^<+/, '').replace(/>+$/, '').trim();
  return inner ? `<${inner}>` : '';
}

export function readSync(db: Readonly<Db>): SyncState | undefined {
  const s = db.state['email.sync'];
  if (!isObj(s) || typeof s.uidValidity !== 'string' || typeof s.lastUid !== 'number') return undefined;
  return { uidValidity: s.uidValidity, lastUid: s.lastUid, updatedAt: typeof s.updatedAt === 'string' ? s.updatedAt : '' };
}

export function writeSync(db: Db, uidValidity: string, lastUid: number, now: string): void {
  const cur = readSync(db);
  // Never move backwards within the same UIDVALIDITY (a late writer must not undo progress).
  if (cur && cur.uidValidity === uidValidity && cur.lastUid > lastUid) return;
  db.state['email.sync'] = { uidValidity, lastUid, updatedAt: now };
}

export function threadGet(db: Readonly<Db>, threadKey: string): ThreadInfo | undefined {
  return threads.get(db, threadKey);
}

/** Bounded references chain: the first id (the root) plus the last `REFERENCES_CAP - 1`. */
export function boundRefs(refs: string[]): string[] {
  const uniq = [...new Set(refs.filter(Boolean))];
  if (uniq.length <= REFERENCES_CAP) return uniq;
  return [uniq[0] as string, ...uniq.slice(-(REFERENCES_CAP - 1))];
}

/** Record an inbound message in its thread (creating the thread for a new conversation). */
export function recordInbound(db: Db, p: { threadKey: string; customerEmail: string; subject: string; messageId: string; references: string[]; now: string }): ThreadInfo {
  const cur = threads.get(db, p.threadKey);
  const refs = boundRefs([...p.references.map(normalizeMessageId), p.messageId]);
  const next: ThreadInfo = cur
    ? { ...cur, lastInboundId: p.messageId, references: refs, updatedAt: p.now }
    : { customerEmail: p.customerEmail.toLowerCase(), subject: p.subject, lastInboundId: p.messageId, references: refs, createdAt: p.now, updatedAt: p.now };
  threads.set(db, p.threadKey, next);
  indexSet(db, p.messageId, { threadKey: p.threadKey, dir: 'in' });
  return next;
}

export function indexGet(db: Readonly<Db>, messageId: string): IndexEntry | undefined {
  return index.get(db, normalizeMessageId(messageId));
}

export function indexSet(db: Db, messageId: string, e: IndexEntry): void {
  const id = normalizeMessageId(messageId);
  if (!id) return;
  index.set(db, id, e);
}

export function undeliverableUntil(db: Readonly<Db>, address: string, now: Date): Undeliverable | undefined {
  const all = db.state['email.undeliverable'];
  const u = isObj(all) ? (all[address.toLowerCase()] as Undeliverable | undefined) : undefined;
  return u && Date.parse(u.until) > now.getTime() ? u : undefined;
}

export function markUndeliverable(db: Db, address: string, reason: string, now: Date, forMs: number): void {
  if (!isObj(db.state['email.undeliverable'])) db.state['email.undeliverable'] = {};
  const u = db.state['email.undeliverable'] as Record<string, Undeliverable>;
  for (const [k, v] of Object.entries(u)) if (Date.parse(v.until) <= now.getTime()) delete u[k];
  u[address.toLowerCase()] = { until: new Date(now.getTime() + forMs).toISOString(), reason: reason.slice(0, 300) };
}
