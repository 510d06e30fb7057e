/**
 * Which PostgreSQL tables hold each JSON collection, in an order that satisfies the foreign keys (the JSON
 * document's own order: customers, accounts, cards, transactions, tickets, …).
 */
import { type StoreDocument, type TableName, TABLE_NAMES } from '../json/document.js';
import { RECORD_PLANS } from './plan-records.js';
import { STATE_PLANS } from './plan-state.js';
import type { Plans, TableLoad } from './table-load.js';

const PLANS: Plans<TableName> = { ...RECORD_PLANS, ...STATE_PLANS };

/**
 * Tables of the schema that hold no product data and are not copied: the applied migrations, the reply budget's
 * lock rows (one per key, created by `takeReplyBudget` when it needs one), and the live event relay's transient
 * rows (who watches which thread, large event bodies for a few minutes: src/store/postgres/event-relay.ts).
 */
export const NOT_COPIED = ['helpline_migrations', 'email_budget_keys', 'thread_watchers', 'thread_event_bodies'] as const;

/** Every table load of `doc`, in insertion order. */
export function importPlan(doc: StoreDocument): TableLoad[] {
  return TABLE_NAMES.flatMap((name) => (PLANS[name] as (rows: readonly unknown[]) => TableLoad[])(doc[name]));
}

/** The PostgreSQL tables that hold product data, in load order. */
export function copiedTables(): string[] {
  return importPlan(emptyDocument()).map((l) => l.table);
}

export function emptyDocument(): StoreDocument {
  const doc: Record<string, unknown> = { version: 2, journalSeq: 0, ticketSeq: 1001 };
  for (const name of TABLE_NAMES) doc[name] = [];
  return doc as StoreDocument;
}
