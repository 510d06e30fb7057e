/**
 * Change tracking for the JSON engine, without touching the memory engine: every table of a `MemoryState` is
 * wrapped so that its writes note the key they touch (and bump a version counter), and the ticket sequence
 * notes its changes too. `takeChanges()` turns the noted keys into journal rows holding each row's current
 * version; it must run where no transaction is open (in the engine's mutex), so the rows are committed ones.
 * Keys written by a transaction that was rolled back are harmless: they are written with their current value.
 */
import { AppError } from '../../errors.js';
import type { MemoryState } from '../memory/state.js';
import type { Table } from '../memory/table.js';
import { COLLECTIONS, TABLE_NAMES, type TableName } from './document.js';
import type { JournalRow } from './journal.js';

export interface Changes {
  /** Deletes first, then each table's written rows in insertion order (replaying them keeps that order). */
  rows: JournalRow[];
  ticketSeq: number;
}

export interface Tracker {
  /** Grows with every write (table rows, ticket sequence). */
  readonly version: number;
  /** The rows written since the last call, as they are now; forgets them. */
  takeChanges(): Changes;
  /** Forget the noted keys (a full snapshot was taken instead). */
  clear(): void;
  /** Whether a row written since the last take or clear, as it is now, passes `test`. */
  someWritten(test: (table: TableName, row: unknown) => boolean): boolean;
}

/** Wrap `state`'s tables and ticket sequence in place. Call before any repository uses it. */
export function trackState(state: MemoryState): Tracker {
  /** Per table: key → the row's insertion sequence when it was first written since the last take (-1: absent). */
  const dirty = new Map<TableName, Map<string, number>>(TABLE_NAMES.map((n) => [n, new Map()]));
  let version = 0;

  function wrap<R>(name: TableName, table: Table<R>, keyOf: (row: R) => string): Table<R> {
    const keys = dirty.get(name) as Map<string, number>;
    const note = (key: string) => {
      if (!keys.has(key)) keys.set(key, table.seqOf(key));
      version += 1;
    };
    const written = (key: string, row: R): R => {
      if (!table.has(key)) throw new AppError('internal', `json store: the ${name} key of a row does not match the memory table's`);
      return row;
    };
    return {
      ...table,
      insert(row) {
        const key = keyOf(row);
        note(key);
        return written(key, table.insert(row));
      },
      put(row) {
        const key = keyOf(row);
        note(key);
        return written(key, table.put(row));
      },
      delete(key) {
        note(key);
        return table.delete(key);
      },
    };
  }

  const s = state as unknown as Record<TableName, Table<unknown>>;
  for (const name of TABLE_NAMES) s[name] = wrap(name, s[name], COLLECTIONS[name].key as (row: unknown) => string);

  let next = state.ticketSeq.next;
  state.ticketSeq = {
    get next() {
      return next;
    },
    set next(value: number) {
      next = value;
      version += 1;
    },
  };

  return {
    get version() {
      return version;
    },
    takeChanges() {
      const deletes: JournalRow[] = [];
      const puts: JournalRow[] = [];
      for (const [name, keys] of dirty) {
        if (keys.size === 0) continue;
        const table = s[name];
        const written: Array<{ key: string; seq: number; row: unknown }> = [];
        for (const [key, seqBefore] of keys) {
          const row = table.get(key);
          const seq = table.seqOf(key);
          // Deleted (and not added in the same batch), or deleted and added again (replay must re-add it at the end).
          if ((row === undefined && seqBefore !== -1) || (row !== undefined && seqBefore !== -1 && seq !== seqBefore)) deletes.push([name, key, null]);
          if (row !== undefined) written.push({ key, seq, row });
        }
        written.sort((a, b) => a.seq - b.seq);
        for (const w of written) puts.push([name, w.key, w.row]);
        keys.clear();
      }
      return { rows: [...deletes, ...puts], ticketSeq: next };
    },
    clear() {
      for (const keys of dirty.values()) keys.clear();
    },
    someWritten(test) {
      for (const [name, keys] of dirty) {
        for (const key of keys.keys()) {
          const row = s[name].get(key);
          if (row !== undefined && test(name, row)) return true;
        }
      }
      return false;
    },
  };
}
