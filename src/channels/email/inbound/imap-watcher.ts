/**
 * Keeps one IMAP session alive and calls `sync` whenever the mailbox may have changed.
 * - A fresh ImapFlow per (re)connect (an instance cannot be reused), its `error` listener attached before
 *   `connect()`; reconnects with capped exponential backoff and jitter.
 * - The mailbox lock is held for the session and always released in `finally`.
 * - IDLE when the server has it (new mail → `exists` → sync); a watchdog NOOP every `pollIntervalMs`
 *   (IDLE can die silently: a NOOP that does not come back closes the connection). Without IDLE: polling.
 * - Every IMAP command runs under a timeout that closes the connection, so nothing hangs forever.
 * - With a `lease` (one poller among several instances), a session opens only while the lease is held, and is
 *   closed as soon as it is lost; without it the watcher is 'standby' and tries again every `lease.retryMs`.
 */
import { ImapFlow } from 'imapflow';
import type { Config } from '../../../config/config.js';
import type { Logger } from '../../../config/logger.js';
import { backoffDelay, createSignal, withTimeout } from './imap-signal.js';
import type { Guard, SyncResult } from './imap-sync.js';
import { mayPoll, type PollerLease } from './poller-lease.js';

/** 'standby': another instance holds the IMAP poller lease; this one takes over if that one goes away. */
export type ImapStatus = 'connected' | 'connecting' | 'down' | 'standby';

export interface ImapWatcherOptions {
  backoffBaseMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  /** Timeout of one IMAP command (connect, select, fetch, NOOP, one download). */
  commandTimeoutMs?: number | undefined;
}

export interface ImapWatcherDeps extends ImapWatcherOptions {
  imap: Config['email']['imap'];
  log: Logger;
  sync: (client: ImapFlow, guard: Guard) => Promise<SyncResult>;
  random?: (() => number) | undefined;
  lease?: PollerLease | undefined;
}

export interface ImapWatcher {
  start(): void;
  stop(): Promise<void>;
  status(): ImapStatus;
  /** Sessions opened so far (for status and tests). */
  sessions(): number;
}

export function createImapWatcher(deps: ImapWatcherDeps): ImapWatcher {
  const { imap, log } = deps;
  const baseMs = deps.backoffBaseMs ?? 1_000;
  const maxMs = deps.backoffMaxMs ?? 60_000;
  const cmdMs = deps.commandTimeoutMs ?? 60_000;
  const random = deps.random ?? Math.random;
  const signal = createSignal();
  let state: ImapStatus = 'down';
  let stopping = false;
  let current: ImapFlow | undefined;
  let loop: Promise<void> | undefined;
  let opened = 0;
  let attempt = 0; // consecutive failed sessions (drives the backoff)

  function makeClient(): ImapFlow {
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user ?? '', pass: imap.password ?? '' },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: cmdMs,
      greetingTimeout: cmdMs,
      socketTimeout: Math.max(5 * 60_000, imap.pollIntervalMs * 3),
    });
    // Before connect(): an unhandled 'error' would crash the process.
    client.on('error', (err: unknown) => log.warn({ err: String(err) }, 'IMAP connection error'));
    client.on('close', () => signal.trigger('close'));
    client.on('exists', () => signal.trigger('exists'));
    return client;
  }

  async function session(client: ImapFlow): Promise<void> {
    const guard: Guard = (p, what) => withTimeout(p, cmdMs, what, () => client.close());
    const lock = await guard(client.getMailboxLock(imap.mailbox), 'select');
    try {
      state = 'connected';
      opened++;
      const idle = client.capabilities.has('IDLE');
      log.info({ mailbox: imap.mailbox, idle }, 'IMAP session open');
      let attemptsReset = false;
      while (!stopping && client.usable) {
        const r = await deps.sync(client, guard);
        if (!attemptsReset) {
          attempt = 0; // a full pass worked: the next failure starts the backoff afresh
          attemptsReset = true;
        }
        if (r === 'more') continue;
        if (stopping || !client.usable) break;
        // IDLE until the server reports mail (or the connection closes, or the watchdog fires).
        // The next command (NOOP/FETCH) ends the IDLE on its own.
        if (idle) void client.idle().catch(() => undefined);
        const why = await signal.wait(r === 'stopped' ? Math.min(imap.pollIntervalMs, 1_000) : imap.pollIntervalMs);
        if (stopping || !client.usable) break;
        if (why === 'timeout') await guard(client.noop(), 'NOOP watchdog');
      }
    } finally {
      lock.release();
    }
  }

  const standby = () => {
    if (state !== 'standby') log.info('IMAP poller lease held by another instance; standing by');
    state = 'standby';
  };

  async function run(): Promise<void> {
    while (await mayPoll(deps.lease, { wait: (ms) => signal.wait(ms), stopping: () => stopping, standby })) {
      const client = makeClient();
      current = client;
      state = 'connecting';
      const unhold = deps.lease?.hold(() => client.close());
      try {
        await withTimeout(client.connect(), cmdMs, 'connect', () => client.close());
        await session(client);
      } catch (err) {
        if (!stopping) log.warn({ err: String(err), attempt: attempt + 1 }, 'IMAP session ended with an error');
      } finally {
        unhold?.();
        current = undefined;
        if (client.usable) await withTimeout(client.logout(), 2_000, 'logout', () => client.close()).catch(() => client.close());
        else client.close();
      }
      if (stopping) break;
      state = 'down';
      attempt++;
      const delay = backoffDelay(attempt, baseMs, maxMs, random);
      log.info({ delayMs: delay, attempt }, 'IMAP reconnecting');
      let why = await signal.wait(delay);
      while (why !== 'timeout' && why !== 'stop' && !stopping) why = await signal.wait(delay); // stale triggers
    }
    state = 'down';
    await deps.lease?.release();
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run().catch((err: unknown) => log.error({ err: String(err) }, 'IMAP loop crashed'));
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      signal.trigger('stop');
      // Let the message in hand finish (bounded), then cut the connection.
      const done = loop;
      const t = new Promise<void>((r) => setTimeout(r, 5_000).unref());
      await Promise.race([done, t]);
      current?.close();
      await done;
      loop = undefined;
    },
    status: () => state,
    sessions: () => opened,
  };
}
