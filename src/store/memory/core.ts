/**
 * The memory engine's execution model. One operation or transaction runs at a time (an async mutex), so none
 * sees another's partial state. Every write logs its undo into the innermost open frame: an operation is a
 * frame (a repository method that throws half-way leaves nothing behind), a transaction is a frame, a nested
 * transaction is a frame (a savepoint). Committing a frame hands its undo log to the enclosing one; rolling it
 * back runs the log backwards. Results leave as deep copies.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '../../errors.js';
import { createMutex, type Mutex } from './mutex.js';

/**
 * A transaction or a savepoint in it (`parent`): its repositories work while it and every enclosing one are open;
 * savepoints directly inside it take turns on `nested`.
 */
export interface Tx {
  open: boolean;
  nested: Mutex;
  parent?: Tx | undefined;
}

/** The undo log of one operation, transaction or savepoint. */
interface Frame { log: Array<() => void> }

const isOpen = (tx: Tx | undefined): boolean => tx?.open === true && (tx.parent === undefined || isOpen(tx.parent));

/** How a bundle of repositories runs its operations: on its own (auto), or inside a transaction. */
export type Binding = { kind: 'auto' } | { kind: 'tx'; tx: Tx };

export interface Core {
  /** Log how to undo a write (tables call this). */
  undo(fn: () => void): void;
  /** Run one synchronous repository step atomically for `binding`; the result is deep-copied. */
  op<T>(binding: Binding, fn: () => T): Promise<T>;
  /** Run `fn` as a transaction (auto binding) or a savepoint (tx binding), with repositories bound to it. */
  transaction<T>(binding: Binding, fn: (tx: Binding) => Promise<T>): Promise<T>;
  close(binding: Binding): Promise<void>;
  /** Run `fn` atomically right now, outside the mutex: only while building the engine, before anyone can call it. */
  setup<T>(fn: () => T): T;
}

const OUTER_IN_TX = 'A transaction is running in this async context: use the repositories passed to transaction(fn), not the outer ones (waiting for the outer ones would deadlock).';

export function createCore(): Core {
  const mutex = createMutex();
  const context = new AsyncLocalStorage<Tx>();
  const frames: Frame[] = [];
  let closed = false;

  function begin(): Frame {
    const frame: Frame = { log: [] };
    frames.push(frame);
    return frame;
  }
  function commit(): void {
    const frame = frames.pop();
    if (frame) frames.at(-1)?.log.push(...frame.log);
  }
  function rollback(): void {
    const log = frames.pop()?.log ?? [];
    for (let i = log.length - 1; i >= 0; i--) (log[i] as () => void)();
  }

  /** `fn` as one frame: undone entirely when it throws. */
  function atomic<T>(fn: () => T): T {
    begin();
    try {
      const out = fn();
      commit();
      return out;
    } catch (err) {
      rollback();
      throw err;
    }
  }

  function usable(binding: Binding): void {
    if (binding.kind === 'tx') {
      if (!isOpen(binding.tx)) throw new AppError('internal', 'This transaction is over: the repositories it was given cannot be used any more.');
      return;
    }
    if (closed) throw new AppError('unavailable', 'The store is closed.');
    if (isOpen(context.getStore())) throw new AppError('internal', OUTER_IN_TX);
  }

  /** Roll back `frame` and every frame left open above it; nothing when it is gone already. */
  function unwind(frame: Frame): void {
    if (!frames.includes(frame)) return;
    while (frames.at(-1) !== frame) rollback();
    rollback();
  }

  /** Run `fn` in a new frame for `tx`: committed into the enclosing frame when it resolves, rolled back when it rejects. */
  async function inFrame<T>(tx: Tx, fn: (b: Binding) => Promise<T>): Promise<T> {
    const frame = begin();
    let out: T;
    try {
      out = await context.run(tx, () => fn({ kind: 'tx', tx }));
    } catch (err) {
      unwind(frame);
      throw err;
    } finally {
      tx.open = false;
    }
    if (frames.at(-1) !== frame) {
      unwind(frame);
      throw new AppError('internal', 'A nested transaction was still running when its enclosing one ended: await every repos.transaction(…) call.');
    }
    commit();
    return out;
  }

  return {
    undo(fn) {
      const top = frames.at(-1);
      if (!top) throw new AppError('internal', 'a memory-store write ran outside an operation');
      top.log.push(fn);
    },

    async op(binding, fn) {
      usable(binding);
      if (binding.kind === 'tx') return structuredClone(atomic(fn));
      return mutex.run(() => structuredClone(atomic(fn)));
    },

    async transaction(binding, fn) {
      usable(binding);
      if (binding.kind === 'tx') {
        // A savepoint: a frame inside the open transaction; savepoints of one level take turns.
        const parent = binding.tx;
        return parent.nested.run(() => {
          usable(binding);
          return inFrame({ open: true, nested: createMutex(), parent }, fn);
        });
      }
      return mutex.run(() => inFrame({ open: true, nested: createMutex() }, fn));
    },

    setup: (fn) => atomic(fn),

    async close(binding) {
      if (binding.kind === 'tx') throw new AppError('internal', 'close() cannot be called inside a transaction.');
      if (isOpen(context.getStore())) throw new AppError('internal', OUTER_IN_TX);
      closed = true;
      await mutex.idle();
    },
  };
}

/** A bundle's way to run one repository step (`core.op` bound to its binding). */
export type Run = <T>(fn: () => T) => Promise<T>;
