import { AppError } from '../errors.js';
import type { Approval, ApprovalAction, Customer } from '../store/schema.js';

/** What an approval asks, as a verb phrase for the customer: "deactivate your card ending 4242", "change your password". */
export function actionPhrase(action: ApprovalAction, last4?: string | undefined): string {
  const card = `your card${last4 ? ` ending ${last4}` : ''}`;
  if (action === 'card_deactivation') return `deactivate ${card}`;
  if (action === 'card_unfreeze') return `unfreeze ${card}`;
  return 'change your password';
}

/** Actions on one card (the approval names it). */
export const isCardAction = (action: ApprovalAction): boolean => action === 'card_deactivation' || action === 'card_unfreeze';

/** `alice@example.com` → `a…@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '…';
  return `${email.slice(0, 1)}…${email.slice(at)}`;
}

function describeDecided(a: Approval): string {
  const who = a.decidedBy ? `${a.decidedBy.kind} ${a.decidedBy.id}` : 'someone';
  return `Approval ${a.id} was already ${a.status} by ${who} at ${a.decidedAt ?? 'an earlier time'}.`;
}

/** The refusal for an approval someone already approved or denied. */
export function alreadyDecided(a: Approval): AppError {
  return new AppError('already_decided', describeDecided(a), { status: a.status, decidedBy: a.decidedBy, decidedAt: a.decidedAt });
}

export function expiredError(approvalId: string, decision: 'approve' | 'deny'): AppError {
  return new AppError('expired', `Approval ${approvalId} has expired and can no longer be ${decision === 'approve' ? 'approved' : 'denied'}; the customer must ask again.`);
}

const norm = (s: string | undefined) => (s ?? '').trim().toLowerCase();

/**
 * Four eyes: the person deciding must not be the person the request is for or from, however each was verified.
 * The staff member's Slack id and verified email are compared with the customer record (linked Slack id, email)
 * and with who asked (the requester's channel identity: Slack user id or email address, and their email).
 */
export function sameIdentity(approval: Approval, customer: Customer | undefined, staff: { staffId: string; email?: string | undefined }): boolean {
  const staffIds = new Set([norm(staff.staffId), norm(staff.email)].filter(Boolean));
  const theirs = [customer?.slackUserId, customer?.email, approval.requester?.id, approval.requester?.email].map(norm).filter(Boolean);
  return theirs.some((id) => staffIds.has(id));
}
