/**
 * The JSON engine's file format: a versioned document of typed collections, one per memory-engine table, rows
 * in insertion order (the order the tables list them), plus the ticket sequence and the journal position the
 * document contains. No untyped `state` bag: every former `state` key is a typed collection here.
 *
 *   { "version": 2, "journalSeq": 0, "ticketSeq": 1001, "customers": [...], "accounts": [...], ..., "leases": [...] }
 *
 * Rows are validated with the zod schemas of src/store/schema.ts (domain records) and the schemas in
 * record-schemas.ts (records declared beside their port).
 */
import { z } from 'zod';
import { AppError, isAppError } from '../../errors.js';
import {
  accountSchema, addressChangeSchema, apiKeySchema, approvalSchema, auditSchema, cardSchema, conversationSchema, customerSchema, draftSchema,
  noteSchema, processedSchema, quarantineSchema, resetTokenSchema, ticketSchema, transactionSchema,
} from '../schema.js';
import type { MemoryState } from '../memory/state.js';
import type { Table } from '../memory/table.js';
import * as r from './record-schemas.js';

export const DOCUMENT_VERSION = 2;

/** The memory state's tables. */
export type TableName = { [K in keyof MemoryState]: MemoryState[K] extends Table<unknown> ? K : never }[keyof MemoryState];
export type RowOf<K extends TableName> = MemoryState[K] extends Table<infer R> ? R : never;

interface Collection<R> {
  schema: z.ZodType;
  /** The row's primary key: the same as the memory table's (checked on every tracked write). */
  key(row: R): string;
  /** Added after version 2 was first written: a document without it is read as having none. */
  later?: true;
}

const byId = (row: { id: string }) => row.id;

/** Every collection, in the order the document lists them. */
export const COLLECTIONS: { [K in TableName]: Collection<RowOf<K>> } = {
  customers: { schema: customerSchema, key: byId },
  accounts: { schema: accountSchema, key: byId },
  cards: { schema: cardSchema, key: byId },
  transactions: { schema: transactionSchema, key: byId },
  tickets: { schema: ticketSchema, key: byId },
  notes: { schema: noteSchema, key: byId },
  approvals: { schema: approvalSchema, key: byId },
  resetTokens: { schema: resetTokenSchema, key: byId },
  addressChanges: { schema: addressChangeSchema, key: byId },
  drafts: { schema: draftSchema, key: byId },
  audit: { schema: auditSchema, key: byId },
  conversations: { schema: conversationSchema, key: (c) => c.threadKey },
  ledger: { schema: processedSchema, key: byId },
  mailboxes: { schema: r.mailboxSchema, key: (m) => m.mailbox },
  decisions: { schema: r.decisionSchema, key: (d) => d.messageId },
  emailThreads: { schema: r.emailThreadSchema, key: (t) => t.threadKey },
  messageIds: { schema: r.messageIdSchema, key: (m) => m.messageId },
  undeliverable: { schema: r.undeliverableSchema, key: (u) => u.address },
  budget: { schema: r.budgetSchema, key: (b) => b.key },
  budgetAlerts: { schema: r.budgetAlertSchema, key: (a) => a.key },
  outbox: { schema: r.outboxSchema, key: byId },
  quarantine: { schema: quarantineSchema, key: byId },
  slackThreads: { schema: r.slackThreadSchema, key: (s) => s.threadRef },
  slackPosted: { schema: r.slackPostedSchema, key: (s) => s.chunkKey },
  leases: { schema: r.leaseSchema, key: (l) => l.name },
  apiKeys: { schema: apiKeySchema, key: byId, later: true },
};

export const TABLE_NAMES = Object.keys(COLLECTIONS) as TableName[];

export type StoreDocument = { version: 2; journalSeq: number; ticketSeq: number } & { [K in TableName]: Array<RowOf<K>> };

/** What lowdb's `data` holds when no document is loaded or being written (the engine's tables are the data). */
export const NO_DOCUMENT = Object.freeze({}) as StoreDocument;

const documentSchema = z.strictObject({
  version: z.literal(DOCUMENT_VERSION),
  journalSeq: z.number().int().min(0),
  ticketSeq: z.number().int().min(1),
  ...Object.fromEntries(TABLE_NAMES.map((n) => [n, COLLECTIONS[n].later ? z.array(COLLECTIONS[n].schema).default([]) : z.array(COLLECTIONS[n].schema)])),
});

const MAX_ISSUES = 3;

/** The first issues of a failed parse, `path: message`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
  return shown.join('; ') + (issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '');
}

/** `value` as a store document, or `store_corrupt` naming `file` and the first problems. */
export function validateDocument(file: string, value: unknown, what: string): StoreDocument {
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('store_corrupt', `${what} ${file} does not match the store schema: ${describeIssues(parsed.error.issues)}`, { file });
  }
  return parsed.data as unknown as StoreDocument;
}

/** A collection's row from a journal record: validated, and stored under its own key. */
export function validateRow<K extends TableName>(table: K, key: string, value: unknown): RowOf<K> {
  const parsed = COLLECTIONS[table].schema.safeParse(value);
  if (!parsed.success) throw new Error(`${table} row ${key}: ${describeIssues(parsed.error.issues)}`);
  const row = parsed.data as RowOf<K>;
  if (COLLECTIONS[table].key(row) !== key) throw new Error(`${table} row stored under ${key} has another key`);
  return row;
}

/** Fill empty tables from `doc` (inside `core.setup`). A duplicate key or unique value is `store_corrupt`. */
export function loadDocument(state: MemoryState, doc: StoreDocument, file: string): void {
  try {
    for (const name of TABLE_NAMES) {
      const table = state[name] as Table<unknown>;
      for (const row of doc[name]) table.insert(row);
    }
  } catch (err) {
    if (isAppError(err, 'conflict')) throw new AppError('store_corrupt', `store file ${file} breaks a constraint: ${err.message}`, { file }, { cause: err });
    throw err;
  }
  state.ticketSeq.next = doc.ticketSeq;
}

/**
 * The tables as a document. Rows are the tables' own frozen rows (no copy), so the result stays valid after
 * later writes and can be serialised after the caller let go of the engine. Call it where no transaction is open.
 */
export function snapshotDocument(state: MemoryState, journalSeq: number): StoreDocument {
  const doc: Record<string, unknown> = { version: DOCUMENT_VERSION, journalSeq, ticketSeq: state.ticketSeq.next };
  for (const name of TABLE_NAMES) doc[name] = (state[name] as Table<unknown>).scan();
  return doc as StoreDocument;
}

const ROWS_PER_CHUNK = 500;

/** The document's JSON text in pieces (a few hundred rows each), so a large file is written without one huge string. */
export function* documentChunks(doc: StoreDocument): Generator<string> {
  yield `{"version":${doc.version},"journalSeq":${doc.journalSeq},"ticketSeq":${doc.ticketSeq}`;
  for (const name of TABLE_NAMES) {
    const rows: readonly unknown[] = doc[name];
    yield `,${JSON.stringify(name)}:[`;
    for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
      const part = rows.slice(i, i + ROWS_PER_CHUNK).map((row) => JSON.stringify(row)).join(',');
      yield i === 0 ? part : `,${part}`;
    }
    yield ']';
  }
  yield '}\n';
}
