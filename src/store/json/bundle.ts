/**
 * The JSON engine's repositories: the memory engine's repositories over the engine's tables, with one difference
 * at the top level. A call made outside a transaction (and a whole transaction) settles only after
 * `durable()`: once everything written so far, its own writes and anything it may have read, is on disk. Calls
 * inside a transaction do not wait (nothing is durable before the transaction commits). Mirrors `bundle` in
 * src/store/memory/index.ts, which is not exported.
 */
import { isAppError } from '../../errors.js';
import type { Repositories } from '../repos/index.js';
import { memoryAddressChanges } from '../memory/address-changes.js';
import { memoryApiKeys } from '../memory/api-keys.js';
import { memoryApprovals, memoryResetTokens } from '../memory/approvals.js';
import { memoryAudit } from '../memory/audit.js';
import { memoryConversations } from '../memory/conversations.js';
import type { Binding, Core, Run } from '../memory/core.js';
import { memoryCustomers } from '../memory/customers.js';
import { memoryDrafts } from '../memory/drafts.js';
import { memoryEmailLimits } from '../memory/email-limits.js';
import { memoryEmailState } from '../memory/email.js';
import { memoryLedger } from '../memory/ledger.js';
import { memoryLeases } from '../memory/leases.js';
import { memoryNotes } from '../memory/notes.js';
import { memoryOutbox } from '../memory/outbox.js';
import { memoryQuarantine } from '../memory/quarantine.js';
import { memorySlackState } from '../memory/slack.js';
import type { MemoryState } from '../memory/state.js';
import { memoryTickets } from '../memory/tickets.js';

export interface Durability {
  /** Resolves once every write made so far is on disk. */
  durable(): Promise<void>;
  /** Readiness of the file: when the last write failed, retry it (a full rewrite); `unavailable` when that fails too. */
  ready(): Promise<void>;
  /** Close the engine (top level only). */
  close(): Promise<void>;
}

/** `promise`'s outcome, delivered once everything written so far is durable. */
async function afterDurable<T>(d: Durability, promise: Promise<T>): Promise<T> {
  let out: T;
  try {
    out = await promise;
  } catch (err) {
    // A failed call wrote nothing of its own, but it may have taken a ticket number or read others' writes.
    await d.durable().catch(() => undefined);
    throw err;
  }
  await d.durable();
  return out;
}

export function jsonBundle(core: Core, s: MemoryState, binding: Binding, d: Durability): Repositories {
  const top = binding.kind === 'auto';
  const run: Run = top ? (fn) => afterDurable(d, core.op(binding, fn)) : (fn) => core.op(binding, fn);
  return {
    customers: memoryCustomers(s, run),
    tickets: memoryTickets(s, run),
    notes: memoryNotes(s, run),
    approvals: memoryApprovals(s, run),
    resetTokens: memoryResetTokens(s, run),
    addressChanges: memoryAddressChanges(s, run),
    drafts: memoryDrafts(s, run),
    audit: memoryAudit(s, run),
    conversations: memoryConversations(s, run),
    ledger: memoryLedger(s, run),
    email: memoryEmailState(s, run),
    emailLimits: memoryEmailLimits(s, run),
    outbox: memoryOutbox(s, run),
    quarantine: memoryQuarantine(s, run),
    slack: memorySlackState(s, run),
    leases: memoryLeases(s, run),
    apiKeys: memoryApiKeys(s, run),
    transaction: (fn) => {
      const tx = core.transaction(binding, (inner) => fn(jsonBundle(core, s, inner, d)));
      return top ? afterDurable(d, tx) : tx;
    },
    ping: async () => {
      if (!top) return run(() => undefined);
      // A failed write is not the end of readiness: ready() retries it and says `unavailable` if it fails again.
      await run(() => undefined).catch((err: unknown) => {
        if (!isAppError(err, 'store_io')) throw err;
      });
      await d.ready();
    },
    close: () => (top ? d.close() : core.close(binding)),
  };
}
