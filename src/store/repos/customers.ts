/**
 * Customers and what they own: accounts, cards and card transactions. The aggregate root is the customer;
 * accounts and cards name their customer, transactions name their account.
 */
import type { Account, Address, Card, Customer, Transaction } from '../schema.js';
import type { CasResult } from './common.js';

export interface TransactionQuery {
  /** The accounts to read (the caller has checked they are the customer's). Empty: no transactions. At most 100. */
  accountIds: readonly string[];
  /** Inclusive lower bound on `postedAt`. */
  since?: string | undefined;
  /** Inclusive upper bound on `postedAt`. */
  until?: string | undefined;
  limit: number;
}

export interface CustomerRepository {
  /** By id, with `passwordHash` (callers that show a customer strip it). */
  get(id: string): Promise<Customer | undefined>;

  /** The customers with these ids (at most 200), in the order given; unknown ids are skipped (ticket lists show names). */
  getMany(ids: readonly string[]): Promise<Customer[]>;

  /** Exact match on the address, ignoring case and surrounding spaces (index on lower(email), unique). */
  findByEmail(email: string): Promise<Customer | undefined>;

  /** Exact match on the linked Slack user id (unique index). */
  findBySlackUserId(slackUserId: string): Promise<Customer | undefined>;

  /**
   * Staff search: customers whose id, name or email contains `query` (case-insensitive), or whose Slack user id
   * equals it; at most `limit`, ordered by id. An empty query is `bad_input`.
   * PostgreSQL: a pg_trgm GIN index on lower(id || ' ' || name || ' ' || email) answers the substring match.
   */
  search(query: string, limit: number): Promise<Customer[]>;

  /** Insert. `conflict` when the id, the email (case-insensitive) or the Slack user id is already used. */
  create(customer: Customer): Promise<void>;

  /** Replace the postal address. The customer after the change; `undefined` when there is none. */
  setAddress(customerId: string, address: Address): Promise<Customer | undefined>;

  /** Store a new scrypt hash and when it changed. False when there is no such customer. */
  setPasswordHash(customerId: string, passwordHash: string, changedAt: string): Promise<boolean>;

  /** Insert. `conflict` on a duplicate id; `not_found` when the customer does not exist. */
  addAccount(account: Account): Promise<void>;

  getAccount(id: string): Promise<Account | undefined>;

  /** The customer's accounts, oldest first (`openedAt`, then id). Index on customer. */
  accountsOf(customerId: string): Promise<Account[]>;

  /** Insert. `conflict` on a duplicate id; `not_found` when the customer or the account does not exist. */
  addCard(card: Card): Promise<void>;

  getCard(id: string): Promise<Card | undefined>;

  /** The customer's cards in insertion order. Index on customer. */
  cardsOf(customerId: string): Promise<Card[]>;

  /**
   * Compare-and-set `active` or `frozen` → `deactivated` with `deactivatedAt = at`. Won by exactly one caller however
   * many try at once; a card that is already deactivated is not won (its record is returned unchanged).
   */
  deactivateCard(cardId: string, at: string): Promise<CasResult<Card>>;

  /** Compare-and-set `active` → `frozen`. Any other status (or no such card) is not won; the record is returned unchanged. */
  freezeCard(cardId: string): Promise<CasResult<Card>>;

  /** Compare-and-set `frozen` → `active`. Any other status (or no such card) is not won; the record is returned unchanged. */
  unfreezeCard(cardId: string): Promise<CasResult<Card>>;

  /** Insert. `conflict` on a duplicate id; `not_found` when the account does not exist. */
  addTransaction(transaction: Transaction): Promise<void>;

  /**
   * Transactions of the given accounts within the bounds, newest first (`postedAt` descending, then id
   * descending), at most `limit`. Index on (accountId, postedAt).
   */
  transactions(query: TransactionQuery): Promise<Transaction[]>;
}
