/**
 * The port that carries live thread events between instances sharing one database (docs/architecture.md, "Live
 * events"). Conversations owns the events and their numbering; this only moves opaque JSON values between instances
 * and tells which threads another instance watches. PostgreSQL implements it (./postgres/event-relay.ts); the JSON
 * file and memory engines run one process, so they relay nothing (`localRelay`).
 */

/** What one instance sends the others about a thread (conversations' event body, dedupe key, time). JSON only. */
export type RelayPayload = Record<string, unknown>;

export interface RelayReceiver {
  /** An event another instance published for a thread this instance watches, in that instance's order. */
  event(threadKey: string, payload: RelayPayload): void;
  /**
   * Events may have been lost for this thread (or, `undefined`, for every thread watched here): the listener
   * connection dropped, or an instance's event did not arrive. Subscribers must reload the history.
   */
  gap(threadKey: string | undefined): void;
}

/** What a relay did so far (for /metrics). */
export interface RelayStats {
  /** Whether it can send and receive now (always true for one process). */
  connected: boolean;
  /** Events sent to other instances, and received from them and handed on. */
  sent: number;
  received: number;
  /** Gaps reported (events that may have been lost: subscribers resynced). */
  gaps: number;
}

export interface ThreadEventRelay {
  /**
   * Receive the events other instances publish for this thread, and let them know it is watched here. Resolves once
   * they can know (never rejects: a registration that failed is made again by a later renewal).
   */
  watch(threadKey: string): Promise<void>;
  /** Stop receiving them (the thread is forgotten here). */
  unwatch(threadKey: string): void;
  /** Whether another instance watches the thread: only then must an event produced here be published. */
  watchedElsewhere(threadKey: string): boolean;
  /** Send to the instances that watch the thread; never blocks. Events of one instance arrive in publish order. */
  publish(threadKey: string, payload: RelayPayload): void;
  /** Where received events go (conversations sets it once, before `start`). */
  receive(receiver: RelayReceiver): void;
  stats(): RelayStats;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One process: nobody else to tell, nothing to receive. */
export function localRelay(): ThreadEventRelay {
  return {
    watch: async () => {},
    unwatch: () => {},
    watchedElsewhere: () => false,
    publish: () => {},
    receive: () => {},
    stats: () => ({ connected: true, sent: 0, received: 0, gaps: 0 }),
    start: async () => {},
    stop: async () => {},
  };
}
