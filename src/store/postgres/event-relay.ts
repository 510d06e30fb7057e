/**
 * Live thread events across instances on PostgreSQL (the ThreadEventRelay port of ../event-relay.ts), by LISTEN /
 * NOTIFY on one dedicated connection per instance (not the pool: LISTEN belongs to a session). That connection
 * sends (./relay-send.ts), listens, and keeps the watch registrations (./relay-watchers.ts); when it drops it is
 * opened again (backoff up to 5 s) and the receiver is told of a gap: whatever was sent meanwhile is lost to us.
 *
 * Every event an instance sends carries that instance's running number `n`, so a receiver notices one that never
 * arrived (a failed send, a dropped connection) and reports a gap rather than a stream with a hole in it; a mark with
 * the count so far follows every reconnect and renewal, so a loss with no event after it is noticed too.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../config/logger.js';
import type { RelayPayload, RelayReceiver, ThreadEventRelay } from '../event-relay.js';
import { unavailable } from './errors.js';
import { createInbound } from './relay-inbound.js';
import { MAX_INLINE_BYTES, type Outgoing, sendBatch } from './relay-send.js';
import { createWatchers } from './relay-watchers.js';

export const RELAY_CHANNEL = 'helpline_thread_events';
/** Events waiting to be sent while the connection is busy; beyond this they are dropped (receivers resync). */
const MAX_PENDING = 10_000;
/** How long a new watch waits for its registration before the subscription goes on regardless. */
const ANNOUNCE_WAIT_MS = 2_000;

export interface PostgresRelayOptions {
  databaseUrl: string;
  log: Logger;
  /** A name for this instance (its watch rows); a random suffix keeps two processes of one name apart. */
  holder?: string | undefined;
  /** A watch registration lasts this long unless renewed (default 60 s); renewed every third of it. */
  watchTtlMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
}

export function createPostgresRelay(opts: PostgresRelayOptions): ThreadEventRelay {
  const log = opts.log.child({ component: 'event-relay' });
  const origin = `${opts.holder ?? 'helpline'}:${randomUUID().slice(0, 8)}`;
  const ttlMs = opts.watchTtlMs ?? 60_000;
  const watchers = createWatchers({ channel: RELAY_CHANNEL, holder: origin, ttlMs });
  let client: pg.Client | undefined;
  let receiver: RelayReceiver | undefined;
  let stopped = false;
  let connectedOnce = false;
  let retryMs = 100;
  let retryTimer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let sent = 0;
  let relayed = 0;
  let pending: Outgoing[] = [];
  let flushing: Promise<void> | undefined;
  const unannounced = new Set<string>();
  const inbound = createInbound({ origin, watchers, log, read: () => client, to: () => receiver });

  /** Send what is pending, batch after batch, until nothing is. */
  async function drain(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      const c = client;
      if (!c) continue; // dropped: receivers see the missing numbers and resync
      await sendBatch(c, RELAY_CHANNEL, batch).then(
        () => { relayed += batch.filter((b) => b.event).length; },
        (err: unknown) => log.warn({ err: String(err), events: batch.length }, 'thread events not relayed (receivers resync)'),
      );
    }
  }

  /** One drain at a time, so events go out in publish order. */
  function flush(): Promise<void> {
    flushing ??= drain().finally(() => {
      flushing = undefined;
      if (pending.length > 0) void flush();
    });
    return flushing;
  }

  function onLost(c: pg.Client, err?: Error): void {
    c.end().catch(() => undefined);
    if (client !== c) return;
    client = undefined;
    if (stopped) return;
    log.warn({ err: err ? err.message : 'connection ended' }, 'event relay connection lost; reconnecting');
    schedule();
  }

  function schedule(): void {
    retryTimer = setTimeout(() => {
      connect().then(() => { retryMs = 100; }, (err: unknown) => {
        log.warn({ err: String(err), retryMs }, 'event relay cannot reconnect yet');
        retryMs = Math.min(retryMs * 2, 5_000);
        if (!stopped) schedule();
      });
    }, retryMs);
  }

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: opts.databaseUrl, application_name: `helpline-events:${origin}`.slice(0, 63), keepAlive: true, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000 });
    c.on('error', (err) => onLost(c, err));
    c.on('end', () => onLost(c));
    c.on('notification', (m) => { if (m.channel === RELAY_CHANNEL && m.payload) inbound.notified(m.payload); });
    try {
      await c.connect();
      // Events that arrive from here on come after the gap: the receiver hears of the gap before any of them.
      if (connectedOnce) inbound.reconnected();
      await c.query(`LISTEN ${RELAY_CHANNEL}`);
      await watchers.renew(c);
      if (stopped) throw new Error('stopped');
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
      throw err;
    }
    client = c;
    connectedOnce = true;
    inbound.flushGap();
    mark();
    // Watches begun while the connection was down are registered (renew) but not yet announced: announce them now.
    for (const threadKey of unannounced) void announce(threadKey);
  }

  /**
   * Tell receivers how many events we have numbered so far, in line after them: a receiver that heard fewer has lost
   * some (sent while our connection was down, or in a failed send) even when no later event of ours would show it.
   */
  function mark(): void {
    pending.push({ inline: JSON.stringify({ k: 's', o: origin, n: sent, t: '' }) });
    void flush();
  }

  /** Register and announce a watch; resolves when done, failed, or after a bound (a subscription never waits long). */
  function announce(threadKey: string): Promise<void> {
    const c = client;
    if (!c) {
      unannounced.add(threadKey);
      return Promise.resolve();
    }
    unannounced.delete(threadKey);
    const done = watchers.announce(c, threadKey, true).catch((err: unknown) => {
      unannounced.add(threadKey);
      log.warn({ err: String(err) }, 'watch not registered yet (retried on reconnect and at the next renewal)');
    });
    return Promise.race([done, new Promise<void>((r) => setTimeout(r, ANNOUNCE_WAIT_MS).unref())]);
  }

  return {
    watch(threadKey) {
      watchers.local.add(threadKey);
      return announce(threadKey);
    },
    unwatch(threadKey) {
      watchers.local.delete(threadKey);
      unannounced.delete(threadKey);
      client && watchers.announce(client, threadKey, false).catch((err: unknown) => log.debug({ err: String(err) }, 'watch not withdrawn (it runs out)'));
    },
    watchedElsewhere: (threadKey) => watchers.elsewhere(threadKey),
    publish(threadKey, payload: RelayPayload) {
      const n = ++sent;
      if (!client || pending.length >= MAX_PENDING) return; // lost: the receivers see `n` skipped and resync
      const envelope = { k: 'e', o: origin, n, t: threadKey };
      const inline = JSON.stringify({ ...envelope, p: payload });
      pending.push(Buffer.byteLength(inline) <= MAX_INLINE_BYTES ? { inline, event: true } : { body: JSON.stringify(payload), envelope, event: true });
      void flush();
    },
    receive(r) {
      receiver = r;
    },
    stats: () => ({ connected: client !== undefined, sent: relayed, received: inbound.counts.received, gaps: inbound.counts.gaps }),
    async start() {
      try {
        await connect();
      } catch (err) {
        throw unavailable(err);
      }
      renewTimer = setInterval(() => {
        if (!client) return;
        watchers.renew(client).catch((err: unknown) => log.warn({ err: String(err) }, 'watch renewal failed'));
        mark();
      }, Math.max(50, ttlMs / 3));
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(renewTimer);
      await flush();
      await inbound.idle();
      const c = client;
      client = undefined;
      if (c) {
        await watchers.withdrawAll(c).catch(() => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}
