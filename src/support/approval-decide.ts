import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { Approval, Card, Customer, ResetToken } from '../store/schema.js';
import type { DecisionResult } from './api.js';
import { actionPhrase, alreadyDecided, expiredError, isCardAction, maskEmail, sameIdentity } from './approval-rules.js';
import { recordAudit } from './audit.js';
import { requireStaff } from './authority.js';
import { actorOf, type Caller } from './caller.js';
import type { SupportContext } from './context.js';
import { LINK_PLACEHOLDER } from './link-mint.js';
import { issueResetToken } from './passwords.js';
import { devMailboxUrl, NOT_EMAILED, queueSystemEmail } from './system-email.js';
import { idString, LIMITS, optionalText, parseInput } from './validation.js';

export { maskEmail } from './approval-rules.js';

const decideSchema = z.strictObject({
  approvalId: idString,
  decision: z.enum(['approve', 'deny']),
  note: optionalText(LIMITS.decisionNote),
});

type Input = z.output<typeof decideSchema>;
type Staff = Extract<Caller, { kind: 'staff' }>;
type Prepared = ResetToken | undefined;
type Executed = { outcome: string; customerMessage: string };

/**
 * The reset token and its mail, queued with a placeholder where the link goes: the link is minted as the mail leaves
 * (link-mint.ts), so no database, journal or log ever holds it.
 */
async function resetEmail(ctx: SupportContext, tx: Repositories, approval: Approval, token: ResetToken, email: string, now: Date): Promise<Executed> {
  await tx.resetTokens.add({ ...token, email });
  await queueSystemEmail(tx, now, {
    key: `password-reset:${approval.id}`,
    to: email,
    subject: 'Reset your Helpline password',
    text:
      `Hello,\n\nA member of our support team approved your request to change your password.\n` +
      `Choose a new password here (the link works once and expires in ${ctx.resetTokenTtlMinutes} minutes):\n\n${LINK_PLACEHOLDER}\n\n` +
      `If you did not ask for this, do not use the link and contact support.\n\n— Helpline support`,
  });
  const expiry = `It works once and expires in ${ctx.resetTokenTtlMinutes} minutes.`;
  if (ctx.mailDelivery === 'dev_mailbox') {
    return { outcome: 'reset_link_in_dev_mailbox', customerMessage: `Your password reset link is in the dev mailbox at ${devMailboxUrl(ctx)} (${NOT_EMAILED}). ${expiry}` };
  }
  return { outcome: 'reset_link_emailed', customerMessage: `We've emailed a password reset link to ${maskEmail(email)}. ${expiry}` };
}

/** The decision's effect on the account (inside the transaction; rolled back with it when the decision is lost). */
async function execute(ctx: SupportContext, tx: Repositories, a: Approval, input: Input, found: { customer?: Customer | undefined; card?: Card | undefined }, prepared: Prepared, now: Date): Promise<Executed> {
  const { card, customer } = found;
  if (input.decision === 'deny') {
    const stays = a.action === 'card_unfreeze' ? ' Your card stays frozen.' : '';
    return { outcome: 'denied', customerMessage: `A staff member declined your request to ${actionPhrase(a.action, card?.last4)}.${input.note ? ` Note: ${input.note}` : ''} Nothing on your account was changed.${stays}` };
  }
  if (a.action === 'card_deactivation' && card) {
    const deactivated = await tx.customers.deactivateCard(card.id, now.toISOString());
    return deactivated.won
      ? { outcome: 'card_deactivated', customerMessage: `Your card ending ${card.last4} has been deactivated. It can no longer be used for payments.` }
      : { outcome: 'card_already_deactivated', customerMessage: `Your card ending ${card.last4} was already deactivated; it stays deactivated.` };
  }
  if (a.action === 'card_unfreeze' && card) {
    const unfrozen = await tx.customers.unfreezeCard(card.id);
    if (unfrozen.won) return { outcome: 'card_unfrozen', customerMessage: `Your card ending ${card.last4} has been unfrozen. You can use it for payments again.` };
    return unfrozen.record?.status === 'deactivated'
      ? { outcome: 'card_deactivated_meanwhile', customerMessage: `Your card ending ${card.last4} was deactivated meanwhile, so it can't be unfrozen; it stays deactivated.` }
      : { outcome: 'card_already_active', customerMessage: `Your card ending ${card.last4} was not frozen any more; it can be used as before.` };
  }
  return resetEmail(ctx, tx, a, prepared as ResetToken, (customer as Customer).email, now);
}

/**
 * One transaction: checks (state, expiry, four eyes, what an approval needs), the effect, then the decision as a
 * compare-and-set on the approval's status. A lost compare-and-set throws, so the effect is rolled back with it:
 * one decision, one effect, however many people click at once. An approval found expired is marked so and 'expired'
 * is returned (the caller refuses after the transaction committed the mark).
 */
async function decideIn(ctx: SupportContext, tx: Repositories, staff: Staff, input: Input, prepared: Prepared): Promise<DecisionResult | 'expired'> {
  const now = ctx.now();
  const at = now.toISOString();
  const approval = await tx.approvals.get(input.approvalId);
  if (!approval) throw new AppError('not_found', `No approval ${input.approvalId} was found.`);
  if (approval.status === 'approved' || approval.status === 'denied') throw alreadyDecided(approval);
  if (approval.status === 'expired') return 'expired';
  if (Date.parse(approval.expiresAt) <= now.getTime()) {
    const marked = await tx.approvals.decide(approval.id, 'pending', { status: 'expired' });
    if (!marked.won) return lost(marked.record, input);
    await recordAudit(tx, now, actorOf(staff), 'approval.expire', `approval:${approval.id}`, { action: approval.action, attempted: input.decision });
    return 'expired';
  }
  const customer = await tx.customers.get(approval.customerId);
  if (sameIdentity(approval, customer, staff)) {
    throw new AppError('forbidden', `Approval ${approval.id} is your own request; another staff member must decide it.`);
  }
  const found = approval.cardId ? await tx.customers.getCard(approval.cardId) : undefined;
  const card = found?.customerId === approval.customerId ? found : undefined;
  if (input.decision === 'approve') {
    if (!customer) throw new AppError('conflict', `The customer of approval ${approval.id} no longer exists; deny it instead.`);
    if (isCardAction(approval.action) && !card) throw new AppError('conflict', `The card of approval ${approval.id} no longer exists; deny it instead.`);
    if (approval.action === 'password_change' && !prepared) throw new AppError('conflict', `Approval ${approval.id} changed while deciding; try again.`);
  }
  // All checks done: from here on, write.
  const executed = await execute(ctx, tx, approval, input, { customer, card }, prepared, now);
  const approve = input.decision === 'approve';
  const decided = await tx.approvals.decide(approval.id, 'pending', {
    status: approve ? 'approved' : 'denied', decidedBy: actorOf(staff), decidedAt: at, decisionNote: input.note || undefined,
    executedAt: approve ? at : undefined, outcome: executed.outcome,
  }, { unexpiredAt: at });
  if (!decided.won) {
    lost(decided.record, input);
    throw expiredError(input.approvalId, input.decision); // expired meanwhile: the effect is rolled back
  }
  await recordAudit(tx, now, actorOf(staff), `approval.${approve ? 'approve' : 'deny'}`, `approval:${approval.id}`, {
    action: approval.action, customerId: approval.customerId, cardId: approval.cardId, outcome: executed.outcome,
  });
  if (executed.outcome === 'card_deactivated') await recordAudit(tx, now, actorOf(staff), 'card.deactivate', `card:${approval.cardId}`, { approvalId: approval.id, customerId: approval.customerId });
  if (executed.outcome === 'card_unfrozen') await recordAudit(tx, now, actorOf(staff), 'card.unfreeze', `card:${approval.cardId}`, { approvalId: approval.id, customerId: approval.customerId });
  if (approve && prepared) await recordAudit(tx, now, actorOf(staff), 'password.reset_issued', `customer:${approval.customerId}`, { approvalId: approval.id, resetTokenId: prepared.id });
  return { approval: decided.record, outcome: executed.outcome, customerMessage: executed.customerMessage, threadKey: approval.threadKey };
}

/** A lost compare-and-set, said from the approval as it is now: decided by someone else (thrown), gone, or expired. */
function lost(now: Approval | undefined, input: Input): 'expired' {
  if (!now) throw new AppError('not_found', `No approval ${input.approvalId} was found.`);
  if (now.status === 'approved' || now.status === 'denied') throw alreadyDecided(now);
  return 'expired';
}

export async function decideApproval(ctx: SupportContext, caller: Caller, raw: unknown): Promise<DecisionResult> {
  const input = parseInput(decideSchema, raw, 'decision');
  const staff = requireStaff(ctx, caller);
  const before = await ctx.repos.approvals.get(input.approvalId);
  if (!before) throw new AppError('not_found', `No approval ${input.approvalId} was found.`);
  const prepared =
    input.decision === 'approve' && before.action === 'password_change' && before.status === 'pending'
      ? issueResetToken({ customerId: before.customerId, approvalId: before.id, email: '', now: ctx.now(), ttlMinutes: ctx.resetTokenTtlMinutes })
      : undefined;
  const result = await ctx.repos.transaction((tx) => decideIn(ctx, tx, staff, input, prepared));
  if (result === 'expired') throw expiredError(input.approvalId, input.decision);
  ctx.log?.info({ approvalId: result.approval.id, decision: input.decision, outcome: result.outcome, staffId: staff.staffId }, 'approval decided');
  return result;
}
