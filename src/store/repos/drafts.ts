/**
 * Staff-session drafts: steps a model proposed that run only when a person sends them. Sending is claimed by
 * compare-and-set (`pending` → `sending`) before the effect runs, then finished (`sending` → `sent` | `failed`).
 */
import type { Actor, Draft } from '../schema.js';
import type { CasResult, StaffMessageRef } from './common.js';

export type DraftStatus = Draft['status'];

/** What a transition writes; absent fields stay. */
export interface DraftChange {
  status: DraftStatus;
  decidedBy?: Actor | undefined;
  decidedAt?: string | undefined;
  /** The (edited) input the step will run with. */
  input?: Record<string, unknown> | undefined;
  outcome?: string | undefined;
}

export interface DraftRepository {
  /** Insert. `conflict` on a duplicate id. */
  create(draft: Draft): Promise<void>;

  get(id: string): Promise<Draft | undefined>;

  /** The drafts with these ids (at most 100), in the order given; unknown ids are skipped. */
  getMany(ids: readonly string[]): Promise<Draft[]>;

  /**
   * Compare-and-set: applies `change` only while the draft's status is `expectStatus` (and, with `unexpiredAt`,
   * only while `expiresAt` is after it). Exactly one of concurrent calls with the same expectation wins.
   */
  transition(id: string, expectStatus: DraftStatus, change: DraftChange, opts?: { unexpiredAt?: string | undefined }): Promise<CasResult<Draft>>;

  /** Record where its staff card was posted. False when there is no such draft. */
  setStaffMessage(id: string, ref: StaffMessageRef): Promise<boolean>;
}
