/**
 * What the process does with an error nothing caught (see README "Operations: errors nothing caught"):
 * - `unhandledRejection`: a promise failed with nobody awaiting it. The work it belonged to is lost, but no
 *   state was left half-changed by a synchronous throw: log it with context, count it, keep serving.
 * - `uncaughtException`: a synchronous throw escaped to the event loop; what was running stopped midway and
 *   the process may hold inconsistent state. Log it, count it, then stop through the normal shutdown (channels
 *   stop, turns finish or are re-queued, the store is flushed and its lock released) and exit 1 so a
 *   supervisor restarts a clean process. If shutdown does not finish within `deadlineMs`, exit 1 anyway.
 */
import type { Logger } from './config/logger.js';

export type ProcessErrorKind = 'unhandledRejection' | 'uncaughtException';

export interface ProcessPolicyDeps {
  proc: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  log: Logger;
  count: (kind: ProcessErrorKind) => void;
  /** The normal shutdown; called once, with exit code 1. */
  shutdown: (code: number, why: string) => Promise<void> | void;
  /** Hard exit when shutdown hangs (default 15 s). */
  exit?: (code: number) => void;
  deadlineMs?: number;
}

function describe(reason: unknown): { err: string; type: string; stack?: string } {
  if (reason instanceof Error) return { err: reason.message.slice(0, 500), type: reason.name, ...(reason.stack ? { stack: reason.stack.split('\n').slice(0, 8).join('\n') } : {}) };
  return { err: String(reason).slice(0, 500), type: typeof reason };
}

/** Installs the policy; returns a function that removes it. */
export function installProcessPolicy(deps: ProcessPolicyDeps): () => void {
  let stopping = false;
  const onRejection = (reason: unknown) => {
    deps.count('unhandledRejection');
    deps.log.error({ ...describe(reason), kind: 'unhandledRejection' }, 'unhandled promise rejection; still serving');
  };
  const onException = (err: unknown, origin: unknown) => {
    deps.count('uncaughtException');
    deps.log.fatal({ ...describe(err), kind: 'uncaughtException', origin }, stopping ? 'uncaught exception during shutdown' : 'uncaught exception; shutting down cleanly (exit 1)');
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => (deps.exit ?? process.exit)(1), deps.deadlineMs ?? 15_000);
    timer.unref();
    void Promise.resolve()
      .then(() => deps.shutdown(1, 'uncaughtException'))
      .catch(() => (deps.exit ?? process.exit)(1));
  };
  deps.proc.on('unhandledRejection', onRejection);
  deps.proc.on('uncaughtException', onException);
  return () => {
    deps.proc.off('unhandledRejection', onRejection);
    deps.proc.off('uncaughtException', onException);
  };
}
