import type { Logger } from '../config/logger.js';
import type { InboundLedgerRepository } from '../store/repos/index.js';
import { pendingMessageSchema, type PendingMessage } from './ledger.js';

/**
 * Several instances on one database: messages another instance claimed and has not finished for `staleMs` (it died,
 * or is stuck) are queued here too. Running them is safe: a thread runs under its lease, and a message finished
 * meanwhile is skipped (thread-owner.ts). This is how a survivor answers what a killed instance had queued.
 */
export interface ThreadAdoptDeps {
  ledger: Pick<InboundLedgerRepository, 'listUnfinished'>;
  /** Whether this instance already has the message queued. */
  has(id: string): boolean;
  push(p: PendingMessage): void;
  clock: () => Date;
  log: Logger;
  everyMs: number;
  staleMs: number;
}

const PAGE = 200;

export function createThreadAdopt(deps: ThreadAdoptDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sweep(): Promise<number> {
    const before = deps.clock().getTime() - deps.staleMs;
    let adopted = 0;
    let after: string | undefined;
    for (;;) {
      const page = await deps.ledger.listUnfinished(PAGE, after);
      for (const e of page) {
        if (deps.has(e.id) || Date.parse(e.updatedAt) > before) continue;
        const parsed = pendingMessageSchema.safeParse(e.message);
        if (!parsed.success) continue; // unreadable entries are failed by the restart sweep
        deps.push(parsed.data);
        adopted++;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    if (adopted > 0) deps.log.info({ adopted }, 'queued messages left waiting by another instance');
    return adopted;
  }

  return {
    sweep,
    start(): void {
      if (timer || deps.everyMs <= 0) return;
      timer = setInterval(() => {
        if (running) return;
        running = sweep().then(() => undefined, (err: unknown) => deps.log.warn({ err: String(err) }, 'adopt sweep failed')).finally(() => { running = undefined; });
      }, deps.everyMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
