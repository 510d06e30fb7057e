/**
 * Approvals of sensitive actions (four eyes) and the password-reset tokens an approved password change issues.
 * Deciding is compare-and-set on the approval's status: one decision per approval, whatever the number of
 * clicks, processes or instances.
 */
import type { Actor, Approval, ApprovalAction, ResetToken } from '../schema.js';
import type { CasResult, StaffMessageRef } from './common.js';

export type ApprovalStatus = Approval['status'];

/** What a decision writes. `status` is the new status (never `pending`). */
export interface ApprovalDecision {
  status: Exclude<ApprovalStatus, 'pending'>;
  decidedBy?: Actor | undefined;
  decidedAt?: string | undefined;
  decisionNote?: string | undefined;
  executedAt?: string | undefined;
  outcome?: string | undefined;
}

export interface ApprovalRepository {
  /** Insert. `conflict` on a duplicate id. */
  create(approval: Approval): Promise<void>;

  get(id: string): Promise<Approval | undefined>;

  /**
   * The pending approval for this customer, action and card (absent `cardId`: one without a card) that has not
   * expired at `now`, if any; the oldest when there are several. Index on (customerId, status).
   */
  findLivePending(query: { customerId: string; action: ApprovalAction; cardId?: string | undefined; now: string }): Promise<Approval | undefined>;

  /** Pending approvals not expired at `now`, oldest request first, at most `limit`. Index on (status, requestedAt). */
  listPending(now: string, limit: number): Promise<Approval[]>;

  /**
   * Compare-and-set: writes `decision` only while the approval's status is `expectStatus` (and, with
   * `unexpiredAt`, only while `expiresAt` is after it). Of any number of concurrent calls with the same
   * expectation exactly one wins. Not won: `record` is the approval as it is now (`undefined`: no such approval).
   * PostgreSQL: `UPDATE … WHERE id = $1 AND status = $2 [AND expires_at > $3] RETURNING *`.
   */
  decide(id: string, expectStatus: ApprovalStatus, decision: ApprovalDecision, opts?: { unexpiredAt?: string | undefined }): Promise<CasResult<Approval>>;

  /**
   * Marks pending approvals whose `expiresAt` is at or before `now` as `expired` (nothing else changes) and returns
   * those this call changed, oldest expiry first, at most `limit`. Each approval is returned by one call only,
   * however many sweepers run at once.
   */
  expireDue(now: string, limit: number): Promise<Approval[]>;

  /** Record where its staff card was posted. False when there is no such approval. */
  setStaffMessage(id: string, ref: StaffMessageRef): Promise<boolean>;

  /** Metrics: approvals per status (every status present, 0 when none). */
  countByStatus(): Promise<Record<ApprovalStatus, number>>;

  /** Metrics: pending approvals not expired at `now`. */
  countLivePending(now: string): Promise<number>;
}

export interface ResetTokenRepository {
  /** Insert (only the scrypt hash of the secret is ever stored). `conflict` on a duplicate id. */
  add(token: ResetToken): Promise<void>;

  get(id: string): Promise<ResetToken | undefined>;

  /** The token an approved password change issued (one per approval; the oldest if there were several). Index on approvalId. */
  findByApproval(approvalId: string): Promise<ResetToken | undefined>;

  /**
   * Appends the hash of a freshly minted link secret, only while the token is unused, has not expired at
   * `unexpiredAt`, and holds fewer than `MAX_LINK_SECRETS` hashes. Returns the new hash's position (the link names
   * it), or `undefined` when nothing was written. Concurrent calls get distinct positions.
   */
  addSecret(id: string, tokenHash: string, opts: { unexpiredAt: string }): Promise<number | undefined>;

  /**
   * Compare-and-set: sets `usedAt` only while the token is unused and has not expired at `usedAt`. Exactly one
   * of concurrent uses wins; the loser gets the token as it is now.
   */
  markUsed(id: string, usedAt: string): Promise<CasResult<ResetToken>>;

  /** Retention: delete tokens that expired before `before` (used or not), at most `limit`. Returns how many. */
  deleteExpired(before: string, limit: number): Promise<number>;
}
