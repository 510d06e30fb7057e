/**
 * The data layer's port: one typed, async repository per aggregate, and `transaction(fn)` for steps that must
 * commit together. Nothing above `store` sees an engine, a whole-database document or SQL. Engines: memory
 * (src/store/memory, unit tests), the JSON file (default) and PostgreSQL (`DATABASE_URL`); all pass the
 * conformance suite in test/store/conformance. docs/data-layer.md describes the whole.
 */
import type { AddressChangeRepository } from './address-changes.js';
import type { ApiKeyRepository } from './api-keys.js';
import type { ApprovalRepository, ResetTokenRepository } from './approvals.js';
import type { AuditRepository } from './audit.js';
import type { ConversationRepository } from './conversations.js';
import type { CustomerRepository } from './customers.js';
import type { DraftRepository } from './drafts.js';
import type { EmailLimitsRepository } from './email-limits.js';
import type { EmailStateRepository } from './email.js';
import type { InboundLedgerRepository } from './ledger.js';
import type { LeaseRepository } from './leases.js';
import type { NoteRepository } from './notes.js';
import type { OutboxRepository } from './outbox.js';
import type { QuarantineRepository } from './quarantine.js';
import type { SlackStateRepository } from './slack.js';
import type { TicketRepository } from './tickets.js';

export * from './common.js';
export type * from './address-changes.js';
export type * from './api-keys.js';
export type * from './approvals.js';
export type * from './audit.js';
export type * from './conversations.js';
export type * from './customers.js';
export type * from './drafts.js';
export type * from './email-limits.js';
export type * from './email.js';
export type * from './ledger.js';
export type * from './leases.js';
export type * from './notes.js';
export { SCRUBBED_SYSTEM_TEXT } from './outbox.js';
export type * from './outbox.js';
export type * from './quarantine.js';
export type * from './slack.js';
export type * from './tickets.js';

export interface Repositories {
  readonly customers: CustomerRepository;
  readonly tickets: TicketRepository;
  readonly notes: NoteRepository;
  readonly approvals: ApprovalRepository;
  readonly resetTokens: ResetTokenRepository;
  readonly addressChanges: AddressChangeRepository;
  readonly drafts: DraftRepository;
  readonly audit: AuditRepository;
  readonly conversations: ConversationRepository;
  readonly ledger: InboundLedgerRepository;
  readonly email: EmailStateRepository;
  readonly emailLimits: EmailLimitsRepository;
  readonly outbox: OutboxRepository;
  readonly quarantine: QuarantineRepository;
  readonly slack: SlackStateRepository;
  readonly leases: LeaseRepository;
  readonly apiKeys: ApiKeyRepository;

  /**
   * Run `fn` as one transaction: every repository call it makes through the `repos` it is given commits together
   * when the promise `fn` returns resolves, or not at all when it rejects (the rejection is passed on, and the
   * store is as if `fn` never ran; an id taken from the ticket sequence is not given back).
   *
   * Isolation: no other caller sees the transaction's changes before it commits, and a compare-and-set inside it
   * (`decide`, `transition`, `claim`…) holds against concurrent transactions (PostgreSQL: row locks taken by the
   * conditional UPDATE, held to commit; a transaction aborted by a serialization failure or deadlock is retried
   * by the engine, so `fn` may run more than once and must have no side effects outside the store).
   *
   * Rules for `fn`: use only the `repos` it is given (using the outer ones while it runs is `internal`: it could
   * deadlock); do not keep `repos` past the returned promise (later calls are `internal`); keep it short, with no
   * network calls (it holds locks). Calling `repos.transaction(inner)` inside runs `inner` as a nested step
   * (a savepoint): its changes are undone alone when it rejects, and the outer transaction may go on.
   * The memory and JSON engines run one transaction at a time.
   */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;

  /** Resolves when the engine answers (readiness checks); rejects with `unavailable` (closed, unreachable) otherwise. */
  ping(): Promise<void>;

  /**
   * Let every call made before it finish (running and waiting operations and transactions), then release the
   * engine (file lock, connection pool). Calls made after it reject with `unavailable`. Safe to call twice.
   * Inside a transaction it is `internal`.
   */
  close(): Promise<void>;
}
