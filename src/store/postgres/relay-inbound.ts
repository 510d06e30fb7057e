/**
 * Receiving relayed events (./event-relay.ts): NOTIFY payloads in the order the connection delivers them, handed on
 * in that order (a large event's body is read first, and the ones behind it wait). Watch announcements update the
 * registry; our own notifications (we listen on the channel we send on) are ignored; events of threads not watched
 * here are dropped unread. A number skipped by a sender, a body gone, or our connection lost is reported as a gap.
 */
import type pg from 'pg';
import type { Logger } from '../../config/logger.js';
import type { RelayPayload, RelayReceiver } from '../event-relay.js';
import { readBody } from './relay-send.js';
import type { Watchers } from './relay-watchers.js';

/** Senders whose last number is remembered (instances come and go; the oldest are forgotten). */
const MAX_ORIGINS = 1000;

interface Envelope { k?: unknown; o?: unknown; n?: unknown; t?: unknown; p?: unknown; r?: unknown }

export interface InboundDeps {
  origin: string;
  watchers: Watchers;
  log: Logger;
  /** The connection to read large bodies on (undefined while it is down). */
  read(): pg.Client | undefined;
  to(): RelayReceiver | undefined;
}

const isPayload = (p: unknown): p is RelayPayload => typeof p === 'object' && p !== null && !Array.isArray(p);

export function createInbound(deps: InboundDeps) {
  const { origin, watchers, log } = deps;
  const last = new Map<string, number>();
  let chain: Promise<void> = Promise.resolve();
  let gapPending = false;
  const counts = { received: 0, gaps: 0 };
  const hand = (threadKey: string, p: RelayPayload) => {
    counts.received++;
    deps.to()?.event(threadKey, p);
  };
  const gap = (threadKey: string | undefined) => {
    counts.gaps++;
    deps.to()?.gap(threadKey);
  };

  function then(fn: () => void | Promise<void>): void {
    chain = chain.then(fn).catch((err: unknown) => log.warn({ err: String(err) }, 'relayed thread event not handled'));
  }

  function flushGap(): void {
    if (!gapPending) return;
    gapPending = false;
    then(() => gap(undefined));
  }

  /** Whether `n` follows the sender's previous number (the first one heard from a sender always does). */
  function inSequence(from: string, n: number): boolean {
    const prev = last.get(from);
    last.delete(from);
    last.set(from, n);
    if (last.size > MAX_ORIGINS) last.delete(last.keys().next().value as string);
    return prev === undefined || n === prev + 1;
  }

  async function readLarge(threadKey: string, id: string): Promise<void> {
    const c = deps.read();
    const body = c ? await readBody(c, id).catch(() => undefined) : undefined;
    let payload: unknown;
    try {
      payload = body === undefined ? undefined : JSON.parse(body);
    } catch {
      payload = undefined;
    }
    if (isPayload(payload)) hand(threadKey, payload);
    else gap(threadKey);
  }

  return {
    notified(text: string): void {
      let m: Envelope;
      try {
        m = JSON.parse(text) as Envelope;
      } catch {
        return;
      }
      if (typeof m !== 'object' || m === null || typeof m.o !== 'string' || typeof m.t !== 'string' || m.o === origin) return;
      const { o: from, t: threadKey } = m;
      if (m.k === 'w' || m.k === 'u') {
        watchers.heard(threadKey, from, m.k === 'w');
        return;
      }
      if (m.k === 'x') {
        watchers.gone(from);
        return;
      }
      if ((m.k !== 'e' && m.k !== 's') || typeof m.n !== 'number') return;
      flushGap();
      // An event is the sender's next number; a mark repeats its last one (`s`: nothing new since).
      if (!inSequence(from, m.k === 'e' ? m.n : m.n + 1)) then(() => gap(undefined));
      if (m.k === 's') {
        last.set(from, m.n);
        return;
      }
      if (!watchers.local.has(threadKey)) return;
      const { p, r } = m;
      if (isPayload(p)) then(() => hand(threadKey, p));
      else if (typeof r === 'string') then(() => readLarge(threadKey, r));
    },
    /** Our connection was lost and is back: every sender's numbering starts afresh, and a gap comes first. */
    reconnected(): void {
      last.clear();
      gapPending = true;
    },
    flushGap,
    counts,
    /** Resolves once everything received so far is handed on. */
    idle: (): Promise<void> => chain,
  };
}
