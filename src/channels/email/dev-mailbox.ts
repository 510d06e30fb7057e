/**
 * The local dev mailbox: with no SMTP server configured (and outside production), the outbox's mail (password-reset
 * and address-confirmation links, account notices) is not sent but put here, for the person trying Helpline to read:
 * printed in the terminal chat and listed on the HTTP server's /dev/mailbox page. It is the outbox worker with a
 * different last step: each claimed item is marked `dev` (`outbox.markDev`: kept, never sent) instead of handed to
 * SMTP. A mail's body stays until its one-time link is used (support scrubs it then, `outbox.scrubDev`).
 */
import type { Logger } from '../../config/logger.js';
import type { DevMail } from '../../conversations/types.js';
import type { OutboxRecord, Repositories } from '../../store/repos/index.js';
import { createOutboxWorker } from './outbound/outbox-worker.js';

export type { DevMail };

export interface DevMailboxDeps {
  repos: Repositories;
  log: Logger;
  clock: () => Date;
  /** This instance's name as an outbox claim holder. */
  holder: string;
  /** The From the mail would have had (`EMAIL_FROM`, or a placeholder). */
  from: string;
  /** Called once per message as it reaches the dev mailbox (the terminal prints it). */
  onMail(mail: DevMail): void;
  /** How often the outbox is looked at (support queues system mail there). Default 250 ms. */
  pollMs?: number | undefined;
}

export interface DevMailbox {
  start(): void;
  stop(): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<DevMail[]>;
  get(id: string): Promise<DevMail | undefined>;
}

/** The placeholder sender of dev-mailbox mail when EMAIL_FROM is not set. */
export const DEV_MAIL_FROM = 'Helpline support <support@helpline.invalid>';

export function createDevMailbox(deps: DevMailboxDeps): DevMailbox {
  const { repos, log, holder } = deps;
  const mailOf = (o: OutboxRecord): DevMail => ({
    id: o.id, from: deps.from, to: o.payload.to, subject: o.payload.subject, text: o.payload.text, at: o.sentAt ?? o.createdAt,
  });

  const worker = createOutboxWorker({
    repos, log, clock: deps.clock, holder, pollMs: deps.pollMs ?? 250,
    async deliver(item) {
      const at = deps.clock().toISOString();
      if (!(await repos.outbox.markDev(item.id, holder, at))) {
        log.warn({ outboxId: item.id }, 'outbox claim ended before the dev mailbox delivery was recorded; the next holder decides');
        return;
      }
      log.info({ outboxId: item.id, kind: item.payload.kind }, 'mail put in the dev mailbox, not sent (no SMTP configured)');
      try {
        deps.onMail(mailOf({ ...item, sentAt: at }));
      } catch (err) {
        log.warn({ outboxId: item.id, err: String(err) }, 'dev mailbox listener failed');
      }
    },
  });

  return {
    start: () => worker.start(),
    stop: () => worker.stop(),
    list: async (limit) => (await repos.outbox.listDev(limit)).map(mailOf),
    async get(id) {
      const o = await repos.outbox.get(id);
      return o?.status === 'dev' ? mailOf(o) : undefined;
    },
  };
}
