/**
 * Loads a whole-database document (`Db`, the seed and the JSON file's shape) into the memory engine's tables,
 * including the typed forms of the old `state` bag: `tickets.nextNumber`, `email.sync`, the email ledger,
 * threads and Message-ID index (whole records or hash shards `<name>/xx`), undeliverable addresses and the reply
 * budget. Unknown `state` keys are dropped. A document that breaks a constraint is `store_corrupt`.
 */
import { AppError, isAppError } from '../../errors.js';
import type { Db } from '../schema.js';
import type { EmailDecision, EmailDecisionKind, EmailThread } from '../repos/email.js';
import type { EmailPayload } from '../repos/outbox.js';
import type { MemoryState } from './state.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const DECISIONS: readonly EmailDecisionKind[] = ['pending', 'replied', 'ignored', 'quarantined', 'budget', 'busy'];

/** Every entry of the map kept as `state[name]` and/or its hash shards `state[name/xx]`. */
function mapEntries(state: Rec, name: string): Array<[string, unknown]> {
  const own = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/[0-9a-f]{2})?$`);
  return Object.entries(state).filter(([k, v]) => own.test(k) && isRec(v)).flatMap(([, v]) => Object.entries(v as Rec));
}

function payloadOf(p: Rec): EmailPayload {
  const out: EmailPayload = { kind: p['kind'] === 'system' ? 'system' : 'reply', to: str(p['to']) ?? '', subject: str(p['subject']) ?? '', text: str(p['text']) ?? '' };
  for (const k of ['replyKind', 'sourceId', 'html', 'messageId', 'inReplyTo'] as const) {
    const v = str(p[k]);
    if (v !== undefined) out[k] = v;
  }
  if (Array.isArray(p['references'])) out.references = p['references'].filter((r): r is string => typeof r === 'string');
  return out;
}

function importEmailState(s: MemoryState, state: Rec, mailbox: string, now: string): void {
  const sync = state['email.sync'];
  if (isRec(sync) && typeof sync['uidValidity'] === 'string' && typeof sync['lastUid'] === 'number') {
    const prev = str(sync['previousUidValidity']);
    s.mailboxes.put({ mailbox, uidValidity: sync['uidValidity'], lastUid: sync['lastUid'], updatedAt: str(sync['updatedAt']) || now, ...(prev ? { previousUidValidity: prev } : {}) });
  }
  for (const [messageId, e] of mapEntries(state, 'email.ledger')) {
    if (!isRec(e)) continue;
    const decision = DECISIONS.find((d) => d === e['decision']);
    if (!decision) continue;
    const d: EmailDecision = { messageId, decision, reason: str(e['reason']) ?? '', uid: Number(e['uid']) || 0, uidValidity: str(e['uidValidity']) ?? '', at: str(e['at']) || now };
    if (str(e['from'])) d.from = str(e['from']);
    if (str(e['threadKey'])) d.threadKey = str(e['threadKey']);
    const cur = s.decisions.get(messageId);
    if (!cur || cur.decision === 'pending') s.decisions.put(d);
  }
  for (const [threadKey, t] of mapEntries(state, 'email.threads')) {
    if (!isRec(t)) continue;
    const refs = Array.isArray(t['references']) ? t['references'].filter((r): r is string => typeof r === 'string') : [];
    const thread: EmailThread = {
      threadKey, customerEmail: (str(t['customerEmail']) ?? '').toLowerCase(), subject: str(t['subject']) ?? '', lastInboundId: str(t['lastInboundId']) ?? '',
      references: refs, createdAt: str(t['createdAt']) || now, updatedAt: str(t['updatedAt']) || now,
    };
    s.emailThreads.put(thread);
  }
  for (const [messageId, e] of mapEntries(state, 'email.index')) {
    if (!isRec(e)) continue;
    const threadKey = str(e['threadKey']);
    if (messageId && threadKey) s.messageIds.put({ messageId, threadKey, dir: e['dir'] === 'out' ? 'out' : 'in', at: now });
  }
  const blocked = state['email.undeliverable'];
  if (isRec(blocked)) {
    for (const [address, u] of Object.entries(blocked)) {
      if (isRec(u) && str(u['until'])) s.undeliverable.put({ address, until: str(u['until']) as string, reason: str(u['reason']) ?? '' });
    }
  }
  for (const [key, times] of mapEntries(state, 'email.budget')) {
    if (Array.isArray(times)) s.budget.put({ key, times: times.filter((x): x is string => typeof x === 'string') });
  }
  const alerts = state['email.budgetAlerts'];
  if (isRec(alerts)) for (const [key, until] of Object.entries(alerts)) if (typeof until === 'string') s.budgetAlerts.put({ key, until });
}

export function importDb(s: MemoryState, db: Db, opts: { mailbox: string; now: string }): void {
  try {
    for (const c of db.customers) s.customers.insert(c);
    for (const a of db.accounts) s.accounts.insert(a);
    for (const c of db.cards) s.cards.insert(c);
    for (const t of db.transactions) s.transactions.insert(t);
    for (const t of db.tickets) s.tickets.insert(t);
    for (const n of db.notes) s.notes.insert(n);
    for (const a of db.approvals) s.approvals.insert(a);
    for (const d of db.drafts) s.drafts.insert(d);
    for (const r of db.resetTokens) s.resetTokens.insert(r);
    for (const c of db.addressChanges) s.addressChanges.insert(c);
    for (const c of Object.values(db.conversations)) s.conversations.insert(c);
    for (const p of Object.values(db.processed)) s.ledger.insert(p);
    for (const o of db.outbox) {
      if (o.channel !== 'email') continue;
      const { channel: _channel, payload, ...rest } = o;
      s.outbox.insert({ ...rest, payload: payloadOf(payload) });
    }
    for (const e of db.audit) s.audit.insert(e);
    for (const q of db.quarantine) s.quarantine.insert(q);
  } catch (err) {
    if (isAppError(err, 'conflict')) throw new AppError('store_corrupt', `The database document breaks a constraint: ${err.message}`, undefined, { cause: err });
    throw err;
  }
  const counter = db.state['tickets.nextNumber'];
  const highest = db.tickets.reduce((max, t) => Math.max(max, Number(t.id.slice(2)) || 0), 0);
  s.ticketSeq.next = Math.max(1001, highest + 1, typeof counter === 'number' && Number.isInteger(counter) ? counter : 0);
  importEmailState(s, db.state, opts.mailbox, opts.now);
}
