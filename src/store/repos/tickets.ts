/**
 * Support tickets with their messages and status history (rows of their own in a server database, but always
 * read and written through the ticket). Ids are `T-<n>` from one sequence.
 */
import type { Channel, Ticket, TicketCategory, TicketDelivery, TicketDeliveryStatus, TicketMessage, TicketPriority, TicketStatus } from '../schema.js';
import type { CasResult, Page, PageRequest } from './common.js';

export type TicketHistoryEntry = Ticket['history'][number];

/** A ticket to create: everything but the id, which the repository allocates. */
export type NewTicket = Omit<Ticket, 'id'>;

/** Equality filters of a ticket list; absent fields do not filter. */
export interface TicketFilter {
  customerId?: string | undefined;
  status?: TicketStatus | undefined;
  priority?: TicketPriority | undefined;
  category?: TicketCategory | undefined;
  channel?: Channel | undefined;
}

/** A change to a ticket, applied as one step. Absent fields stay as they are. */
export interface TicketChange {
  status?: TicketStatus | undefined;
  updatedAt?: string | undefined;
  /** Set only when the ticket has no first response yet (the first one is kept). */
  firstResponseAt?: string | undefined;
  /** `null` removes it (a reopened ticket). */
  resolvedAt?: string | null | undefined;
  closedAt?: string | null | undefined;
  /** Appended after the existing messages, in this order. */
  addMessages?: TicketMessage[] | undefined;
  /** Appended after the existing history, in this order. */
  addHistory?: TicketHistoryEntry[] | undefined;
}

/** Who a rate limit counts tickets for: a customer, or (tickets without a customer) a contact address. */
export type TicketCreator = { customerId: string } | { contact: string };

export interface TicketRepository {
  /**
   * Insert with the next id of the ticket sequence, `T-1001` upward, never below an existing ticket's number.
   * Ids are unique and increasing across concurrent callers and instances; a rolled-back transaction may leave
   * a gap, and an id is never handed out twice. Returns the stored ticket.
   */
  create(ticket: NewTicket): Promise<Ticket>;

  /** By id (exact, `T-<n>`), with messages and history in order. */
  get(id: string): Promise<Ticket | undefined>;

  /**
   * Tickets matching `filter`, newest first (`createdAt` descending, then number descending), paginated.
   * Indexes: (customerId, createdAt), (status, createdAt); other filters narrow those rows.
   */
  list(filter: TicketFilter, page: PageRequest): Promise<Page<Ticket>>;

  /** The newest ticket (by `createdAt`) naming this conversation thread. Index on threadKey. */
  latestForThread(threadKey: string): Promise<Ticket | undefined>;

  /**
   * How many tickets this customer (or, for `contact`, tickets without a customer with this contact address,
   * case-insensitive) created at or after `since`. For the hourly creation limits. Inside a transaction, concurrent
   * transactions counting for the same creator wait for each other until commit, so count-then-create is atomic
   * across instances (PostgreSQL: a transaction-level advisory lock on the creator; the other engines run one
   * transaction at a time).
   */
  countCreatedSince(creator: TicketCreator, since: string): Promise<number>;

  /**
   * Apply `change` as one step. With `expect.status`, only while the ticket still has that status (compare-and-set:
   * two concurrent transitions from the same status cannot both win). Not won with `record: undefined` when
   * there is no such ticket.
   */
  update(id: string, change: TicketChange, expect?: { status?: TicketStatus | undefined }): Promise<CasResult<Ticket>>;

  /**
   * Replace the delivery state of message `messageId` of ticket `ticketId` with `delivery`, only while the stored one
   * still has `expect.status` (and, when given, `expect.at`): compare-and-set, so of concurrent claims on a reply's
   * delivery exactly one wins. Not won with `record: undefined` when there is no such ticket or message on it;
   * not won with the current ticket when the delivery state differs (or the message has none).
   */
  setDelivery(ticketId: string, messageId: string, delivery: TicketDelivery, expect: { status: TicketDeliveryStatus; at?: string | undefined }): Promise<CasResult<Ticket>>;

  /**
   * Messages whose delivery is still `pending` or `sending` with its `at` before `before`, oldest (`at`) first, at most
   * `limit` (as a page limit): replies a stopped instance or another process left undelivered. Index on open deliveries.
   */
  awaitingDelivery(before: string, limit: number): Promise<Array<{ ticketId: string; messageId: string }>>;

  /** Metrics: number of tickets per value of `field` (values with no ticket are absent). */
  countBy(field: 'status' | 'category' | 'channel'): Promise<Record<string, number>>;

  /**
   * Metrics: the median, in minutes (not rounded), of `field - createdAt` over the tickets that have `field`;
   * `null` when none has it.
   */
  medianMinutesTo(field: 'firstResponseAt' | 'resolvedAt'): Promise<number | null>;

  /**
   * Metrics: tickets created per UTC day for the days from `fromDay` to `toDay` (inclusive, `YYYY-MM-DD`, at most
   * 366 days), oldest first, with the sum of their sentiment; every day is present (count 0 when none).
   */
  createdPerDay(fromDay: string, toDay: string): Promise<Array<{ day: string; count: number; sentimentSum: number }>>;

  /** Metrics: tickets whose `resolvedAt` is within [from, to). */
  countResolvedBetween(from: string, to: string): Promise<number>;
}
