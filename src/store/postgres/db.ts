/**
 * How the PostgreSQL repositories talk to the server. A repository method is one `run(mode, fn)`:
 *
 * - outside a transaction, `read` / `write` run `fn` on the pool (each statement commits on its own) and
 *   `atomic` runs it in BEGIN … COMMIT on one client; a deadlock or serialization failure re-runs it;
 * - inside a transaction, every call runs on the transaction's client, one at a time (a FIFO lock), and a `write`
 *   or `atomic` call runs under a savepoint, so a call that fails leaves nothing behind and the transaction goes on
 *   (as in the memory engine), instead of PostgreSQL's "current transaction is aborted".
 *
 * Transactions are READ COMMITTED; a nested transaction is a savepoint; the whole `fn` is re-run (a few times) after
 * a serialization failure or deadlock. On a pipelining client (the engine's own pool sets `pipeline`), BEGIN,
 * SAVEPOINT and RELEASE are sent without waiting for their answers: they travel with the statement after them, so a
 * call inside a transaction is one round trip, not three. That is safe because each of them can only fail when the
 * transaction is already aborted (or the connection is gone), and then every later statement fails too and COMMIT
 * answers ROLLBACK, which is reported as an error. An AsyncLocalStorage marks the open transaction so that using the outer
 * repositories inside it fails fast (`internal`) instead of waiting for a lock the transaction holds.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { AppError } from '../../errors.js';
import { isRetryable, storeError, unavailable } from './errors.js';

export type Row = Record<string, unknown>;

/** Parameterised statements (values only ever travel as parameters). Errors arrive as AppError. */
export interface Sql {
  rows<R extends Row = Row>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** How many rows the statement inserted, updated or deleted. */
  count(text: string, values?: readonly unknown[]): Promise<number>;
}

/** `read`: selects only; `write`: one or more statements, each fine alone; `atomic`: statements that commit together. */
export type Mode = 'read' | 'write' | 'atomic';

/** What a repository is built on: the pool, or one open transaction. */
export interface Session {
  run<T>(mode: Mode, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** True inside a transaction: a read of one record there locks it (FOR NO KEY UPDATE) until commit. */
  readonly locking: boolean;
}

/** Attempts of a transaction (or single call) that keeps hitting deadlocks or serialization failures. */
const MAX_ATTEMPTS = 6;

interface Mutex {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(fn);
      tail = result.then(() => undefined, () => undefined);
      return result;
    },
  };
}

/** An open transaction, or a savepoint in one (`parent`). */
interface Frame {
  client: pg.PoolClient;
  open: boolean;
  parent: Frame | undefined;
  /** One statement sequence at a time on the client (shared by the whole transaction). */
  lock: Mutex;
  /** Savepoints directly inside this frame take turns. */
  nested: Mutex;
  /** Nested transactions of this frame still running. */
  running: number;
}

const isOpen = (f: Frame | undefined): boolean => f?.open === true && (f.parent === undefined || isOpen(f.parent));

const OUTER_IN_TX = 'A transaction is running in this async context: use the repositories passed to transaction(fn), not the outer ones (waiting for the outer ones could deadlock).';
const TX_OVER = 'This transaction is over: the repositories it was given cannot be used any more.';

function sqlOn(q: pg.Pool | pg.PoolClient): Sql {
  return {
    async rows<R extends Row = Row>(text: string, values: readonly unknown[] = []): Promise<R[]> {
      try {
        return (await q.query<R>(text, [...values])).rows;
      } catch (err) {
        throw storeError(err);
      }
    },
    async count(text, values = []) {
      try {
        return (await q.query(text, [...values])).rowCount ?? 0;
      } catch (err) {
        throw storeError(err);
      }
    },
  };
}

/** Whether `client` sends a statement before the previous one is answered (node-postgres `pipeline` mode). */
const pipelines = (client: pg.PoolClient): boolean => (client as { pipeline?: boolean }).pipeline === true;

const pause = (attempt: number) => new Promise<void>((r) => setTimeout(r, 2 ** attempt * 5 + Math.random() * 20));

/** The engine's execution model over one pool. `bind` builds a repository bundle for a session. */
export interface Core<B> {
  auto: Session;
  /** Run `fn` as a transaction (outside one) or a savepoint (inside `within`). */
  transaction<T>(within: Frame | undefined, fn: (repos: B) => Promise<T>): Promise<T>;
  sessionOf(frame: Frame): Session;
  close(within: Frame | undefined): Promise<void>;
}

export type { Frame };

export function createCore<B>(pool: pg.Pool, bind: (session: Session, frame: Frame | undefined) => B, endPool: () => Promise<void>): Core<B> {
  const context = new AsyncLocalStorage<Frame>();
  const inflight = new Set<Promise<unknown>>();
  let closed = false;
  let closing: Promise<void> | undefined;

  /** Outside a transaction: refuse when closed, or when called from inside a running transaction. */
  function usable(): void {
    if (closed) throw new AppError('unavailable', 'The store is closed.');
    if (isOpen(context.getStore())) throw new AppError('internal', OUTER_IN_TX);
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inflight.add(p);
    const done = () => { inflight.delete(p); };
    p.then(done, done);
    return p;
  }

  async function connect(): Promise<pg.PoolClient> {
    try {
      return await pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
  }

  async function exec(client: pg.PoolClient, text: string): Promise<pg.QueryResult> {
    try {
      return await client.query(text);
    } catch (err) {
      throw storeError(err);
    }
  }

  /**
   * A transaction-control statement nothing needs the answer of (BEGIN, SAVEPOINT, RELEASE): on a pipelining client it
   * is sent and not awaited (its failure leaves the transaction aborted, which the next statement or COMMIT reports);
   * otherwise awaited as usual.
   */
  async function send(client: pg.PoolClient, text: string): Promise<void> {
    if (!pipelines(client)) {
      await exec(client, text);
      return;
    }
    client.query(text).catch(() => undefined);
  }

  /** BEGIN, `fn`, COMMIT on one client, re-run after a deadlock or serialization failure. */
  async function inTransaction<T>(fn: (client: pg.PoolClient, attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await connect();
      let broken = false;
      try {
        await send(client, 'BEGIN ISOLATION LEVEL READ COMMITTED');
        return await fn(client, attempt);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => { broken = true; });
        // Database errors arrive mapped already; the caller's own errors pass on unchanged.
        if (!isRetryable(err) || attempt >= MAX_ATTEMPTS) throw err;
      } finally {
        client.release(broken);
      }
      await pause(attempt);
    }
  }

  async function commit(client: pg.PoolClient): Promise<void> {
    const r = await exec(client, 'COMMIT');
    // A transaction that had a failed statement answers COMMIT with ROLLBACK: nothing was stored.
    if (r.command === 'ROLLBACK') throw new AppError('store_io', 'The database rolled the transaction back (a statement in it failed).');
  }

  const auto: Session = {
    locking: false,
    run(mode, fn) {
      try {
        usable();
      } catch (err) {
        return Promise.reject(err);
      }
      if (mode === 'atomic') return track(inTransaction(async (client) => {
        const out = await fn(sqlOn(client));
        await commit(client);
        return out;
      }));
      return track((async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await fn(sqlOn(pool));
          } catch (err) {
            if (!isRetryable(err) || attempt >= MAX_ATTEMPTS) throw err;
            await pause(attempt);
          }
        }
      })());
    },
  };

  function sessionOf(frame: Frame): Session {
    return {
      locking: true,
      run(mode, fn) {
        if (!isOpen(frame)) return Promise.reject(new AppError('internal', TX_OVER));
        return frame.lock.run(async () => {
          if (!isOpen(frame)) throw new AppError('internal', TX_OVER);
          const sql = sqlOn(frame.client);
          if (mode === 'read') return fn(sql);
          await send(frame.client, 'SAVEPOINT helpline_op');
          try {
            const out = await fn(sql);
            await send(frame.client, 'RELEASE SAVEPOINT helpline_op');
            return out;
          } catch (err) {
            await frame.client.query('ROLLBACK TO SAVEPOINT helpline_op').then(() => frame.client.query('RELEASE SAVEPOINT helpline_op')).catch(() => undefined);
            throw err;
          }
        });
      },
    };
  }

  /** Runs `fn` with repositories bound to `frame`; then waits for nested transactions it left running (internal). */
  async function runIn<T>(frame: Frame, fn: (repos: B) => Promise<T>): Promise<T> {
    const out = await context.run(frame, () => fn(bind(sessionOf(frame), frame)));
    if (frame.running > 0) {
      await frame.nested.run(async () => undefined);
      throw new AppError('internal', 'A nested transaction was still running when its enclosing one ended: await every repos.transaction(…) call.');
    }
    return out;
  }

  function child(parent: Frame): Frame {
    return { client: parent.client, open: true, parent, lock: parent.lock, nested: createMutex(), running: 0 };
  }

  /** A savepoint inside `parent`; siblings take turns. One fixed name: savepoints nest strictly, so the latest is ours. */
  function savepoint<T>(parent: Frame, fn: (repos: B) => Promise<T>): Promise<T> {
    if (!isOpen(parent)) return Promise.reject(new AppError('internal', TX_OVER));
    parent.running++;
    return parent.nested.run(async () => {
      try {
        if (!isOpen(parent)) throw new AppError('internal', TX_OVER);
        const frame = child(parent);
        await parent.lock.run(() => send(parent.client, 'SAVEPOINT helpline_tx'));
        let out: T;
        try {
          out = await runIn(frame, fn);
        } catch (err) {
          frame.open = false;
          await parent.lock.run(async () => {
            await exec(parent.client, 'ROLLBACK TO SAVEPOINT helpline_tx');
            await exec(parent.client, 'RELEASE SAVEPOINT helpline_tx');
          });
          throw err;
        }
        frame.open = false;
        await parent.lock.run(() => send(parent.client, 'RELEASE SAVEPOINT helpline_tx'));
        return out;
      } finally {
        parent.running--;
      }
    });
  }

  function topLevel<T>(fn: (repos: B) => Promise<T>): Promise<T> {
    try {
      usable();
    } catch (err) {
      return Promise.reject(err);
    }
    return track(inTransaction(async (client) => {
      const frame: Frame = { client, open: true, parent: undefined, lock: createMutex(), nested: createMutex(), running: 0 };
      try {
        const out = await runIn(frame, fn);
        // Calls still queued on the client finish first, then COMMIT; later calls are refused.
        await frame.lock.run(async () => {
          frame.open = false;
          await commit(client);
        });
        return out;
      } finally {
        frame.open = false;
        // Let a statement still on the client finish before the caller's ROLLBACK is sent.
        await frame.lock.run(async () => undefined);
      }
    }));
  }

  return {
    auto,
    sessionOf,
    transaction: (within, fn) => (within ? savepoint(within, fn) : topLevel(fn)),
    async close(within) {
      if (within || isOpen(context.getStore())) throw new AppError('internal', 'close() cannot be called inside a transaction.');
      closed = true;
      closing ??= (async () => {
        while (inflight.size > 0) await Promise.allSettled([...inflight]);
        await endPool();
      })();
      await closing;
    },
  };
}
