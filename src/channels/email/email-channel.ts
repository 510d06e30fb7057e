/**
 * The email channel: the IMAP inbox watcher feeding conversations (inbound/, one poller among all instances by the
 * `imap-poller` lease), the SMTP outbox sending replies and system mail (outbound/), the identity resolver for
 * email senders and the `deliver` port for `email:` threads. Everything it keeps is in the repositories.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { ConversationsPort, CustomerDirectory, DeliverPort, IdentityResolver, StaffNotifier } from '../../conversations/types.js';
import { AppError } from '../../errors.js';
import type { Repositories } from '../../store/repos/index.js';
import { createEmailIdentity } from './identity.js';
import { createImapSync } from './inbound/imap-sync.js';
import { createImapWatcher, type ImapStatus, type ImapWatcherOptions } from './inbound/imap-watcher.js';
import { createPollerLease, type PollerLeaseOptions } from './inbound/poller-lease.js';
import { createEmailProcessor } from './inbound/processor.js';
import { fromAddress } from './outbound/compose-reply.js';
import { createEmailDeliver } from './outbound/deliver.js';
import type { OutboxSendDeps } from './outbound/outbox-send.js';
import { createOutboxWorker, type OutboxWorkerOptions } from './outbound/outbox-worker.js';
import { createSmtpSender } from './outbound/smtp-sender.js';
import { createReadPool } from './reading/read-pool.js';
import { createEmailRetention } from './retention.js';
import { createThreadLookup } from './threads/thread-lookup.js';

export interface EmailChannelTuning {
  imap?: ImapWatcherOptions | undefined;
  /** The `imap-poller` lease: how long it lasts, how often it is renewed and tried. */
  lease?: PollerLeaseOptions | undefined;
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
  repos: Repositories;
  /** This instance's name as a lease and claim holder (default host:pid:random). */
  instanceId?: string | undefined;
  conversations: ConversationsPort;
  directory: CustomerDirectory;
  staff?: StaffNotifier | undefined;
  log: Logger;
  clock?: (() => Date) | undefined;
  random?: (() => number) | undefined;
  tuning?: EmailChannelTuning | undefined;
  /** Counts each analysed message by the class that decided it (metrics). */
  onClassified?: ((cls: string, action: string) => void) | undefined;
  /** Mints a system mail's one-time link as it leaves (support's `systemMail.render`). */
  renderSystemMail: OutboxSendDeps['render'];
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
  const { config, repos } = deps;
  if (!config.imap.host || !config.smtp.host || !config.from) {
    throw new AppError('config', 'The email channel needs EMAIL_IMAP_HOST, EMAIL_SMTP_HOST and EMAIL_FROM');
  }
  const log = deps.log.child({ channel: 'email' });
  const clock = deps.clock ?? (() => new Date());
  const holder = deps.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const from = config.from;
  const undeliverableMs = deps.tuning?.undeliverableMs ?? 3 * 24 * 3600_000;
  const smtpTimeoutMs = deps.tuning?.smtpTimeoutMs ?? 30_000;
  const ownAddresses = [...new Set([fromAddress(from), config.imap.user ?? ''].map((a) => a.toLowerCase()).filter((a) => a.includes('@')))];
  const lookup = createThreadLookup(repos, from);

  // One pooled SMTP connection per outbox lane, so a send never waits in the pool's queue (and its timeout).
  const sender = createSmtpSender(config.smtp, { timeoutMs: smtpTimeoutMs, maxConnections: deps.tuning?.outbox?.parallel });
  const { retentionMs, pruneEveryMs, ...outboxTuning } = deps.tuning?.outbox ?? {};
  const retention = createEmailRetention({ repos, clock, log, holder, outboxRetentionMs: retentionMs ?? config.outboxRetentionMs, everyMs: pruneEveryMs });
  const outbox = createOutboxWorker({
    repos, sender, from, log, staff: deps.staff, clock, holder, random: deps.random, undeliverableMs, render: deps.renderSystemMail,
    // A whole send is bounded by 3 × the per-phase timeout; a dead instance's claim is taken over soon after that.
    claimMs: Math.max(60_000, smtpTimeoutMs * 3 + 30_000),
    afterPass: () => retention.runIfDue(), ...outboxTuning,
  });
  const deliver = createEmailDeliver({ repos, from, log, clock, queued: () => outbox.kick() });

  let stopping = false;
  // Parsing and reading mail runs in worker threads under hard time and memory limits: no message, however
  // built, can hold this thread (Slack acks, turns, the reset page) while it is taken apart.
  const reader = createReadPool({ size: deps.tuning?.readWorkers, log });
  const processor = createEmailProcessor({ config, repos, conversations: deps.conversations, staff: deps.staff, log, clock, lookup, ownAddresses, undeliverableMs, reader, onClassified: deps.onClassified });
  const sync = createImapSync({ repos, mailbox: config.imap.mailbox, processor, log, staff: deps.staff, clock, quarantineFolder: config.imap.quarantineFolder, maxBytes: config.maxBytes, isStopping: () => stopping, firstStart: config.imap.firstStart });
  const lease = createPollerLease({ leases: repos.leases, holder, log, ...deps.tuning?.lease });
  const watcher = createImapWatcher({ imap: config.imap, log, sync: sync.syncOnce, random: deps.random, lease, ...deps.tuning?.imap });

  return {
    async start() {
      stopping = false;
      outbox.start();
      watcher.start();
      log.info({ mailbox: config.imap.mailbox, instance: holder }, 'email channel started');
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
