/**
 * The email channel's own state, kept in the store's `state` collection under `email.*` keys.
 * Every function here runs inside `store.update` (or reads a snapshot); all are synchronous and pure
 * apart from mutating the given db.
 *
 * - `email.sync`        `{ uidValidity, lastUid }`: IMAP progress (never the \Seen flag).
 * - `email.ledger`      Message-ID → decision (replied / ignored / quarantined / budget / pending) + why.
 *                       This is the record of every decision, and the dedupe key across UIDVALIDITY changes.
 * - `email.threads`     threadKey → the thread's customer address, subject, last inbound Message-ID, references.
 * - `email.index`       Message-ID (received and sent) → threadKey, for threading replies.
 * - `email.undeliverable` address → until when we do not send to it (bounces, SMTP 5xx).
 * Maps are bounded: the oldest entries are dropped past their cap (checked every 256 inserts).
 */
import type { Db } from '../../store/schema.js';

export const LEDGER_CAP = 20_000;
export const INDEX_CAP = 50_000;
export const THREAD_CAP = 20_000;
export const REFERENCES_CAP = 11;
const CAP_EVERY = 256;

export interface SyncState { uidValidity: string; lastUid: number; updatedAt: string }

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

/** The object under `key`, created if absent (typed by the caller; the channel is its only writer). */
function bag<T>(db: Db, key: string): Record<string, T> {
  const cur = db.state[key];
  if (isObj(cur)) return cur as Record<string, T>;
  const fresh: Record<string, T> = {};
  db.state[key] = fresh;
  return fresh;
}

function peek<T>(db: Readonly<Db>, key: string): Readonly<Record<string, T>> {
  const cur = db.state[key];
  return isObj(cur) ? (cur as Record<string, T>) : {};
}

/**
 * Drop the oldest (first inserted) keys past `max`. Counting keys is O(size), so it is done once per
 * `CAP_EVERY` inserts into the map (counted in `email.capChecks`): a map holds at most `max + CAP_EVERY`.
 */
function cap(db: Db, name: string, obj: Record<string, unknown>, max: number): void {
  const checks = bag<number>(db, 'email.capChecks');
  const n = (typeof checks[name] === 'number' ? checks[name] : 0) + 1;
  if (n < CAP_EVERY) {
    checks[name] = n;
    return;
  }
  checks[name] = 0;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length - max; i++) delete obj[keys[i] as string];
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

export function ledgerGet(db: Readonly<Db>, messageId: string): LedgerEntry | undefined {
  return peek<LedgerEntry>(db, 'email.ledger')[messageId];
}

export function ledgerSet(db: Db, messageId: string, entry: LedgerEntry): void {
  const l = bag<LedgerEntry>(db, 'email.ledger');
  delete l[messageId]; // re-insert: keeps insertion order = recency for the cap
  l[messageId] = entry;
  cap(db, 'ledger', l, LEDGER_CAP);
}

/** Recent decisions, newest first (for status pages and tests). */
export function recentDecisions(db: Readonly<Db>, limit = 50): Array<LedgerEntry & { messageId: string }> {
  const l = peek<LedgerEntry>(db, 'email.ledger');
  return Object.keys(l).slice(-limit).reverse().map((k) => ({ ...(l[k] as LedgerEntry), messageId: k }));
}

export function threadGet(db: Readonly<Db>, threadKey: string): ThreadInfo | undefined {
  return peek<ThreadInfo>(db, 'email.threads')[threadKey];
}

/** Bounded references chain: the first id (the root) plus the last `REFERENCES_CAP - 1`. */
export function boundRefs(refs: string[]): string[] {
  const uniq = [...new Set(refs.filter(Boolean))];
  if (uniq.length <= REFERENCES_CAP) return uniq;
  return [uniq[0] as string, ...uniq.slice(-(REFERENCES_CAP - 1))];
}

/** Record an inbound message in its thread (creating the thread for a new conversation). */
export function recordInbound(db: Db, p: { threadKey: string; customerEmail: string; subject: string; messageId: string; references: string[]; now: string }): ThreadInfo {
  const threads = bag<ThreadInfo>(db, 'email.threads');
  const cur = threads[p.threadKey];
  const refs = boundRefs([...p.references.map(normalizeMessageId), p.messageId]);
  const next: ThreadInfo = cur
    ? { ...cur, lastInboundId: p.messageId, references: refs, updatedAt: p.now }
    : { customerEmail: p.customerEmail.toLowerCase(), subject: p.subject, lastInboundId: p.messageId, references: refs, createdAt: p.now, updatedAt: p.now };
  delete threads[p.threadKey];
  threads[p.threadKey] = next;
  cap(db, 'threads', threads, THREAD_CAP);
  indexSet(db, p.messageId, { threadKey: p.threadKey, dir: 'in' });
  return next;
}

export function indexGet(db: Readonly<Db>, messageId: string): IndexEntry | undefined {
  return peek<IndexEntry>(db, 'email.index')[normalizeMessageId(messageId)];
}

export function indexSet(db: Db, messageId: string, e: IndexEntry): void {
  const id = normalizeMessageId(messageId);
  if (!id) return;
  const idx = bag<IndexEntry>(db, 'email.index');
  idx[id] = e;
  cap(db, 'index', idx, INDEX_CAP);
}

export function undeliverableUntil(db: Readonly<Db>, address: string, now: Date): Undeliverable | undefined {
  const u = peek<Undeliverable>(db, 'email.undeliverable')[address.toLowerCase()];
  return u && Date.parse(u.until) > now.getTime() ? u : undefined;
}

export function markUndeliverable(db: Db, address: string, reason: string, now: Date, forMs: number): void {
  const u = bag<Undeliverable>(db, 'email.undeliverable');
  for (const [k, v] of Object.entries(u)) if (Date.parse(v.until) <= now.getTime()) delete u[k];
  u[address.toLowerCase()] = { until: new Date(now.getTime() + forMs).toISOString(), reason: reason.slice(0, 300) };
}
