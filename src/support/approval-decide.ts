import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Approval, Customer, Db, ResetToken } from '../store/schema.js';
import type { DecisionResult } from './api.js';
import { recordAudit } from './audit.js';
import { requireStaff } from './authority.js';
import { actorOf, type Caller } from './caller.js';
import type { SupportContext } from './context.js';
import { issueResetToken } from './passwords.js';
import { queueSystemEmail } from './system-email.js';
import { idString, LIMITS, optionalText, parseInput } from './validation.js';

const decideSchema = z.strictObject({
  approvalId: idString,
  decision: z.enum(['approve', 'deny']),
  note: optionalText(LIMITS.decisionNote),
});

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

const norm = (s: string | undefined) => (s ?? '').trim().toLowerCase();

/**
 * Four eyes: the person deciding must not be the person the request is for or from, however each was verified.
 * The staff member's Slack id and verified email are compared with the customer record (linked Slack id, email)
 * and with who asked (the requester's channel identity: Slack user id or email address, and their email).
 */
function sameIdentity(approval: Approval, customer: Customer | undefined, staff: { staffId: string; email?: string | undefined }): boolean {
  const staffIds = new Set([norm(staff.staffId), norm(staff.email)].filter(Boolean));
  const theirs = [customer?.slackUserId, customer?.email, approval.requester?.id, approval.requester?.email].map(norm).filter(Boolean);
  return theirs.some((id) => staffIds.has(id));
}

type Executed = { outcome: string; customerMessage: string; resetLink?: string };

function resetEmail(ctx: SupportContext, db: Db, approval: Approval, token: { token: string; record: ResetToken }, email: string, now: Date): Executed {
  const link = `${ctx.publicBaseUrl}/reset/${token.token}`;
  const record = { ...token.record, email };
  db.resetTokens.push(record);
  queueSystemEmail(db, now, {
    key: `password-reset:${approval.id}`,
    to: email,
    subject: 'Reset your Helpline password',
    text:
      `Hello,\n\nA member of our support team approved your request to change your password.\n` +
      `Choose a new password here (the link works once and expires in ${ctx.resetTokenTtlMinutes} minutes):\n\n${link}\n\n` +
      `If you did not ask for this, do not use the link and contact support.\n\n— Helpline support`,
  });
  return { outcome: 'reset_link_emailed', customerMessage: `We've emailed a password reset link to ${maskEmail(email)}. It works once and expires in ${ctx.resetTokenTtlMinutes} minutes.`, resetLink: link };
}

export async function decideApproval(ctx: SupportContext, caller: Caller, raw: unknown): Promise<DecisionResult> {
  const input = parseInput(decideSchema, raw, 'decision');
  const staff = requireStaff(ctx, caller);
  const before = ctx.store.read().approvals.find((a) => a.id === input.approvalId);
  if (!before) throw new AppError('not_found', `No approval ${input.approvalId} was found.`);
  // scrypt is slow: prepare the token before entering the (synchronous) compare-and-set.
  const prepared =
    input.decision === 'approve' && before.action === 'password_change' && before.status === 'pending'
      ? issueResetToken({ customerId: before.customerId, approvalId: before.id, email: '', now: ctx.now(), ttlMinutes: ctx.resetTokenTtlMinutes })
      : undefined;

  const result = await ctx.store.update((db): DecisionResult | 'expired' => {
    const now = ctx.now();
    const approval = db.approvals.find((a) => a.id === input.approvalId);
    if (!approval) throw new AppError('not_found', `No approval ${input.approvalId} was found.`);
    if (approval.status === 'approved' || approval.status === 'denied') throw new AppError('already_decided', describeDecided(approval), { status: approval.status, decidedBy: approval.decidedBy, decidedAt: approval.decidedAt });
    if (approval.status === 'expired') return 'expired';
    if (Date.parse(approval.expiresAt) <= now.getTime()) {
      approval.status = 'expired';
      recordAudit(db, now, actorOf(staff), 'approval.expire', `approval:${approval.id}`, { action: approval.action, attempted: input.decision });
      return 'expired';
    }
    const customer = db.customers.find((c) => c.id === approval.customerId);
    if (sameIdentity(approval, customer, staff)) {
      throw new AppError('forbidden', `Approval ${approval.id} is your own request; another staff member must decide it.`);
    }
    const card = approval.cardId ? db.cards.find((c) => c.id === approval.cardId && c.customerId === approval.customerId) : undefined;
    if (input.decision === 'approve') {
      if (!customer) throw new AppError('conflict', `The customer of approval ${approval.id} no longer exists; deny it instead.`);
      if (approval.action === 'card_deactivation' && !card) throw new AppError('conflict', `The card of approval ${approval.id} no longer exists; deny it instead.`);
      if (approval.action === 'password_change' && !prepared) throw new AppError('conflict', `Approval ${approval.id} changed while deciding; try again.`);
    }
    // All checks done: from here on, mutate.
    approval.decidedBy = actorOf(staff);
    approval.decidedAt = now.toISOString();
    if (input.note) approval.decisionNote = input.note;
    let executed: Executed;
    if (input.decision === 'deny') {
      approval.status = 'denied';
      const what = approval.action === 'card_deactivation' ? `deactivate your card${card ? ` ending ${card.last4}` : ''}` : 'change your password';
      executed = { outcome: 'denied', customerMessage: `A staff member declined your request to ${what}.${input.note ? ` Note: ${input.note}` : ''} Nothing on your account was changed.` };
    } else if (approval.action === 'card_deactivation' && card) {
      approval.status = 'approved';
      if (card.status === 'active') {
        card.status = 'deactivated';
        card.deactivatedAt = now.toISOString();
        executed = { outcome: 'card_deactivated', customerMessage: `Your card ending ${card.last4} has been deactivated. It can no longer be used for payments.` };
      } else {
        executed = { outcome: 'card_already_deactivated', customerMessage: `Your card ending ${card.last4} was already deactivated; it stays deactivated.` };
      }
      approval.executedAt = now.toISOString();
    } else {
      approval.status = 'approved';
      executed = resetEmail(ctx, db, approval, prepared as { token: string; record: ResetToken }, (customer as { email: string }).email, now);
      approval.executedAt = now.toISOString();
    }
    approval.outcome = executed.outcome;
    recordAudit(db, now, actorOf(staff), `approval.${approval.status === 'denied' ? 'deny' : 'approve'}`, `approval:${approval.id}`, {
      action: approval.action, customerId: approval.customerId, cardId: approval.cardId, outcome: executed.outcome,
    });
    if (executed.outcome === 'card_deactivated') recordAudit(db, now, actorOf(staff), 'card.deactivate', `card:${approval.cardId}`, { approvalId: approval.id, customerId: approval.customerId });
    if (executed.outcome === 'reset_link_emailed') recordAudit(db, now, actorOf(staff), 'password.reset_issued', `customer:${approval.customerId}`, { approvalId: approval.id, resetTokenId: prepared?.record.id });
    const decided: DecisionResult = { approval: structuredClone(approval), outcome: executed.outcome, customerMessage: executed.customerMessage, threadKey: approval.threadKey };
    if (executed.resetLink) decided.resetLink = executed.resetLink;
    return decided;
  });
  if (result === 'expired') throw new AppError('expired', `Approval ${input.approvalId} has expired and can no longer be ${input.decision === 'approve' ? 'approved' : 'denied'}; the customer must ask again.`);
  ctx.log?.info({ approvalId: result.approval.id, decision: input.decision, outcome: result.outcome, staffId: staff.staffId }, 'approval decided');
  return result;
}
