/**
 * Repositories that SIGKILL their own process at one step of answering an email, for the kill tests (email-bot.ts):
 *   after-fetch  when the first fetched message's 'pending' decision is about to be written (nothing durable yet)
 *   after-model  when the model's first answer is about to be saved (transcript not yet durable)
 *   after-queue  right after the first reply is durably in the outbox (its transaction committed; not sent)
 *   after-smtp   when the SMTP server has accepted the first reply but before 'sent' is written
 * Calls are intercepted by name on the repositories (and on the ones a transaction hands out), whatever the engine.
 */
import type { Repositories } from '../../src/store/repos/index.js';

export type KillPoint = 'after-fetch' | 'after-model' | 'after-queue' | 'after-smtp';

type Call = (...args: unknown[]) => Promise<unknown>;
/** Runs instead of a method: `call` is the real one. */
type Hook = (args: unknown[], call: () => Promise<unknown>) => Promise<unknown>;

function die(point: string): never {
  process.stderr.write(`email-bot: SIGKILL at ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

function hooked<T extends object>(repo: T, hooks: Record<string, Hook>): T {
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const hook = typeof prop === 'string' ? hooks[prop] : undefined;
      if (!hook || typeof value !== 'function') return value;
      return (...args: unknown[]) => hook(args, () => (value as Call).apply(target, args));
    },
  });
}

const hasAssistantMessage = (write: unknown): boolean =>
  ((write as { messages?: Array<{ role?: string }> }).messages ?? []).some((m) => m.role === 'assistant');

/** The repositories of `repos` whose calls at `point` kill the process; `queued`: a reply was enqueued through them. */
function hooksFor(repos: Repositories, point: KillPoint, queued: () => void): Partial<Repositories> {
  const before = (when: (args: unknown[]) => boolean): Hook => async (args, call) => {
    if (when(args)) die(point);
    return call();
  };
  switch (point) {
    case 'after-fetch': return { email: hooked(repos.email, { recordDecision: before(([d]) => (d as { decision?: string }).decision === 'pending') }) };
    case 'after-model': return { conversations: hooked(repos.conversations, { saveTranscript: before(([, write]) => hasAssistantMessage(write)) }) };
    case 'after-smtp': return { outbox: hooked(repos.outbox, { markSent: before(() => true) }) };
    case 'after-queue': return {
      outbox: hooked(repos.outbox, {
        enqueue: async (_args, call) => {
          const r = await call();
          if ((r as { queued?: boolean }).queued) queued();
          return r;
        },
      }),
    };
  }
}

export function killingRepos(inner: Repositories, point: KillPoint | undefined): Repositories {
  if (!point) return inner;
  const wrap = (repos: Repositories, queued: () => void, transaction: Repositories['transaction']): Repositories =>
    ({ ...bind(repos), ...hooksFor(repos, point, queued), transaction });
  // Inside a transaction an enqueued reply is durable once the outermost one committed; outside, once the call resolved.
  const inTx = (tx: Repositories, queued: () => void): Repositories =>
    wrap(tx, queued, (fn) => tx.transaction((t) => fn(inTx(t, queued))));
  return wrap(inner, () => die(point), async (fn) => {
    let queued = false;
    const r = await inner.transaction((tx) => fn(inTx(tx, () => { queued = true; })));
    if (queued) die(point);
    return r;
  });
}

/** The repositories' members as own properties (an engine's methods may live on a prototype). */
function bind(repos: Repositories): Repositories {
  const out: Record<string, unknown> = {};
  for (const key of ['customers', 'tickets', 'notes', 'approvals', 'resetTokens', 'addressChanges', 'drafts', 'audit', 'conversations', 'ledger', 'email', 'emailLimits', 'outbox', 'quarantine', 'slack', 'leases'] as const) out[key] = repos[key];
  out.transaction = repos.transaction.bind(repos);
  out.ping = repos.ping.bind(repos);
  out.close = repos.close.bind(repos);
  return out as unknown as Repositories;
}
