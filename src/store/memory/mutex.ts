/** A FIFO async mutex: `run` waits for every earlier holder to finish, then runs `fn` alone. */
export interface Mutex {
  run<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Resolves once everything queued so far has finished. */
  idle(): Promise<void>;
}

export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T> | T): Promise<T> {
      const result = tail.then(() => fn());
      tail = result.then(() => undefined, () => undefined);
      return result;
    },
    idle: () => tail.then(() => undefined),
  };
}
