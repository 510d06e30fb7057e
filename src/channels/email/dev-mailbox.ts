/**
 * The local dev mailbox: with no SMTP server configured (and outside production), the outbox's mail (password-reset
 * and address-confirmation links, account notices) is not sent but put here, for the person trying Helpline to read:
 * printed in the terminal chat and listed on the HTTP server's /dev/mailbox page. It is the outbox worker with a
 * different last step: each claimed item is marked `dev` (`outbox.markDev`: kept, never sent) instead of handed to
 * SMTP. A mail's body stays until its one-time link is used (support scrubs it then, `outbox.scrubDev`).
 *
 * The stored body never holds the link (only a placeholder): a link is minted each time the mail is shown, by
 * `render` (support's `systemMail.render`): once when it is printed in the terminal, and on every opening of the
 * message page. Each is a fresh link that works until one of them is used or they expire; the listing mints none.
 */
import type { Logger } from '../../config/logger.js';
import type { DevMail } from '../../conversations/types.js';
import type { OutboxRecord, Repositories } from '../../store/repos/index.js';
import { LINK_PLACEHOLDER } from '../../support/link-mint.js';
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
  /** Mints a system mail's one-time link as it is shown (support's `systemMail.render`). */
  render: (mail: { sourceId?: string | undefined; text: string }) => Promise<string>;
  /** Called once per message as it reaches the dev mailbox (the terminal prints it). */
  onMail(mail: DevMail): void;
  /** How often the outbox is looked at (support queues system mail there). Default 250 ms. */
  pollMs?: number | undefined;
}

export interface DevMailbox {
  start(): void;
  stop(): Promise<void>;
  /** Newest first; a body's link is not minted here (its text says to open the message). */
  list(limit: number): Promise<DevMail[]>;
  /** One message, its one-time link freshly minted. */
  get(id: string): Promise<DevMail | undefined>;
}

/** What the listing shows where a message's link goes: links are minted only when a message is opened. */
export const LINK_WHEN_OPENED = '(open this message for its link)';

/** The placeholder sender of dev-mailbox mail when EMAIL_FROM is not set. */
export const DEV_MAIL_FROM = 'Helpline support <support@helpline.invalid>';

export function createDevMailbox(deps: DevMailboxDeps): DevMailbox {
  const { repos, log, holder } = deps;
  const mailOf = (o: OutboxRecord, text: string): DevMail => ({
    id: o.id, from: deps.from, to: o.payload.to, subject: o.payload.subject, text, at: o.sentAt ?? o.createdAt,
  });
  /** As shown: a system mail's link minted now, for this view only. */
  const shown = async (o: OutboxRecord): Promise<DevMail> => mailOf(o, o.payload.kind === 'system' ? await deps.render(o.payload) : o.payload.text);

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
        deps.onMail(await shown({ ...item, sentAt: at }));
      } catch (err) {
        log.warn({ outboxId: item.id, err: String(err) }, 'dev mailbox listener failed');
      }
    },
  });

  return {
    start: () => worker.start(),
    stop: () => worker.stop(),
    list: async (limit) => (await repos.outbox.listDev(limit)).map((o) => mailOf(o, o.payload.text.replaceAll(LINK_PLACEHOLDER, LINK_WHEN_OPENED))),
    async get(id) {
      const o = await repos.outbox.get(id);
      return o?.status === 'dev' ? shown(o) : undefined;
    },
  };
}
