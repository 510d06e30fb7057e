/**
 * The email channel: the IMAP inbox watcher feeding conversations, the SMTP outbox sending replies,
 * the identity resolver for email senders and the `deliver` port for `email:` threads.
 */
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { ConversationsPort, CustomerDirectory, DeliverPort, IdentityResolver, StaffNotifier } from '../../conversations/types.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { fromAddress } from './compose-reply.js';
import { createEmailDeliver } from './email-deliver.js';
import { createEmailIdentity } from './email-identity.js';
import { createEmailProcessor } from './email-processor.js';
import { migrateEmailState } from './email-state.js';
import { createThreadLookup } from './email-thread-lookup.js';
import { createImapSync } from './imap-sync.js';
import { createImapWatcher, type ImapStatus, type ImapWatcherOptions } from './imap-watcher.js';
import { createOutboxIndex } from './outbox-index.js';
import { createReadPool } from './read-pool.js';
import { createOutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
import { createSmtpSender } from './smtp-sender.js';

export interface EmailChannelTuning {
  imap?: ImapWatcherOptions | undefined;
  outbox?: OutboxWorkerOptions | undefined;
  /** Per-phase SMTP timeout (connect, greeting, each command). Default 30 s. */
  smtpTimeoutMs?: number | undefined;
  /** How long a bounced or 5xx-refused address is not written to. Default 3 days. */
  undeliverableMs?: number | undefined;
  /** Mail reader worker threads (default 1). */
  readWorkers?: number | undefined;
}

export interface EmailChannelDeps {
  config: Config['email'];
  store: Store;
  conversations: ConversationsPort;
  directory: CustomerDirectory;
  staff?: StaffNotifier | undefined;
  log: Logger;
  clock?: (() => Date) | undefined;
  random?: (() => number) | undefined;
  tuning?: EmailChannelTuning | undefined;
  /** Counts each analysed message by the class that decided it (metrics). */
  onClassified?: ((cls: string, action: string) => void) | undefined;
}

export interface EmailChannelStatus { imap: ImapStatus; smtp: 'ok' | 'unknown' | 'failing' }

export interface EmailChannel {
  start(): Promise<void>;
  stop(): Promise<void>;
  deliver: DeliverPort;
  identity: IdentityResolver;
  status(): EmailChannelStatus;
}

export function createEmailChannel(deps: EmailChannelDeps): EmailChannel {
  const { config, store } = deps;
  if (!config.imap.host || !config.smtp.host || !config.from) {
    throw new AppError('config', 'The email channel needs EMAIL_IMAP_HOST, EMAIL_SMTP_HOST and EMAIL_FROM');
  }
  const log = deps.log.child({ channel: 'email' });
  const clock = deps.clock ?? (() => new Date());
  const from = config.from;
  const undeliverableMs = deps.tuning?.undeliverableMs ?? 3 * 24 * 3600_000;
  const ownAddresses = [...new Set([fromAddress(from), config.imap.user ?? ''].map((a) => a.toLowerCase()).filter((a) => a.includes('@')))];
  const lookup = createThreadLookup(store, from);

  // One pooled SMTP connection per outbox lane, so a send never waits in the pool's queue (and its timeout).
  const sender = createSmtpSender(config.smtp, { timeoutMs: deps.tuning?.smtpTimeoutMs ?? 30_000, maxConnections: deps.tuning?.outbox?.parallel });
  const index = createOutboxIndex(); // derived lookups into the outbox array, shared by its writers and sender
  const outbox = createOutboxWorker({ store, sender, from, log, staff: deps.staff, clock, random: deps.random, undeliverableMs, retentionMs: config.outboxRetentionMs, index, ...deps.tuning?.outbox });
  const deliver = createEmailDeliver({ store, from, log, clock, queued: () => outbox.kick(), index });

  let stopping = false;
  // Parsing and reading mail runs in worker threads under hard time and memory limits: no message, however
  // built, can hold this thread (Slack acks, turns, the reset page) while it is taken apart.
  const reader = createReadPool({ size: deps.tuning?.readWorkers, log });
  const processor = createEmailProcessor({ config, store, conversations: deps.conversations, staff: deps.staff, log, clock, lookup, ownAddresses, undeliverableMs, reader, onClassified: deps.onClassified });
  const sync = createImapSync({ store, processor, log, staff: deps.staff, clock, quarantineFolder: config.imap.quarantineFolder, maxBytes: config.maxBytes, isStopping: () => stopping, firstStart: config.imap.firstStart });
  const watcher = createImapWatcher({ imap: config.imap, log, sync: sync.syncOnce, random: deps.random, ...deps.tuning?.imap });

  return {
    async start() {
      stopping = false;
      // Maps an older version kept as one record each → shards (they are read either way; this only saves writes).
      await store.update(migrateEmailState).catch((err: unknown) => log.warn({ err: String(err) }, 'email state not migrated'));
      outbox.start();
      watcher.start();
      log.info({ mailbox: config.imap.mailbox }, 'email channel started');
    },
    async stop() {
      stopping = true;
      await watcher.stop();
      await outbox.stop();
      sender.close();
      await reader.close();
      log.info('email channel stopped');
    },
    deliver,
    identity: createEmailIdentity(deps.directory),
    status: () => ({ imap: watcher.status(), smtp: outbox.status() }),
  };
}
