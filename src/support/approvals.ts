import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { Approval, ApprovalAction, Card } from '../store/schema.js';
import type { PendingApprovalResult, Support } from './api.js';
import { recordAudit } from './audit.js';
import { requireCustomer, requireStaff } from './authority.js';
import { actorOf, SYSTEM_ACTOR, type Caller, type RequestContext } from './caller.js';
import type { SupportContext } from './context.js';
import { decideApproval } from './approval-decide.js';
import { newId } from './ids.js';
import { devMailboxUrl } from './system-email.js';
import { idString, LIMITS, parseInput, requestContextSchema, text } from './validation.js';
import { actionPhrase } from './approval-rules.js';
import { cardInputSchema, findOwnCard, type CardChoice } from './own-card.js';
import { redactSecrets } from './redact/index.js';

const reasonSchema = text(LIMITS.reason);
const cardRequestSchema = cardInputSchema({ reason: text(LIMITS.reason) });
const staffMessageSchema = z.strictObject({ channel: z.string().min(1).max(100), ts: z.string().min(1).max(100) });

/** Why a card cannot be the subject of this request (undefined: it can). */
function refusal(action: ApprovalAction, card: Card): string | undefined {
  if (card.status === 'deactivated') {
    return action === 'card_unfreeze'
      ? `Your card ending ${card.last4} is deactivated, so it can't be unfrozen; a deactivated card is not used again.`
      : `Your card ending ${card.last4} is already deactivated; nothing more is needed.`;
  }
  if (action === 'card_unfreeze' && card.status !== 'frozen') return `Your card ending ${card.last4} is not frozen; it can already be used.`;
  return undefined;
}

/** How many pending approvals past expiry one step marks expired (the sweep repeats it). */
const EXPIRE_BATCH = 100;
/** How many pending approvals staff are shown at once (oldest first). */
const PENDING_LIST_LIMIT = 200;

/** Mark up to a batch of pending approvals past their expiry as expired, with an audit entry each (call with `tx`). */
export async function expirePending(tx: Repositories, now: Date): Promise<Approval[]> {
  const changed = await tx.approvals.expireDue(now.toISOString(), EXPIRE_BATCH);
  for (const a of changed) await recordAudit(tx, now, SYSTEM_ACTOR, 'approval.expire', `approval:${a.id}`, { action: a.action, customerId: a.customerId });
  return changed;
}

function dropUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function createApprovals(ctx: SupportContext): Support['approvals'] {
  async function request(caller: Caller, rctx: RequestContext, action: ApprovalAction, reason: string, cardInput?: CardChoice): Promise<PendingApprovalResult> {
    const where = parseInput(requestContextSchema, rctx ?? {}, 'request context');
    const r = await ctx.repos.transaction(async (tx): Promise<{ result: PendingApprovalResult; created?: Approval }> => {
      const now = ctx.now();
      const customer = await requireCustomer(tx, caller);
      let card: Card | undefined;
      if (cardInput) {
        card = findOwnCard(await tx.customers.cardsOf(customer.id), cardInput);
        const refused = refusal(action, card);
        if (refused) throw new AppError('conflict', refused);
      }
      const what = actionPhrase(action, card?.last4);
      const live = await tx.approvals.findLivePending({ customerId: customer.id, action, cardId: card?.id, now: now.toISOString() });
      if (live) {
        return { result: { status: 'pending_approval', approvalId: live.id, action, expiresAt: live.expiresAt, message: `A request to ${what} is already waiting for a staff member's approval.` } };
      }
      await expirePending(tx, now);
      const approval: Approval = {
        id: newId('apr'),
        customerId: customer.id,
        action,
        // Shown on staff cards: never a secret, whatever the requester (or a model) put in it.
        reason: redactSecrets(reason).text,
        requestedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ctx.approvalTtlMinutes * 60_000).toISOString(),
        status: 'pending',
      };
      if (card) approval.cardId = card.id;
      if (where.threadKey) approval.threadKey = where.threadKey;
      if (where.channel) approval.channel = where.channel;
      if (where.requester) approval.requester = dropUndefined(where.requester);
      await tx.approvals.create(approval);
      await recordAudit(tx, now, actorOf(caller), 'approval.request', `approval:${approval.id}`, { action, cardId: card?.id, customerId: customer.id });
      return {
        result: { status: 'pending_approval', approvalId: approval.id, action, expiresAt: approval.expiresAt, message: `Your request to ${what} has been sent to a staff member for approval. You'll hear back here.` },
        created: approval,
      };
    });
    if (r.created) ctx.log?.info({ approvalId: r.created.id, action, customerId: r.created.customerId }, 'approval requested');
    return r.result;
  }

  return {
    async requestPasswordChange(caller, rctx, reason) {
      const r = parseInput(reasonSchema, reason, 'reason');
      if (ctx.mailDelivery === 'none') {
        throw new AppError('unavailable', 'Password changes work by emailing a one-time reset link, and email is not set up for this service. Nothing was changed; please contact support another way.');
      }
      const result = await request(caller, rctx, 'password_change', r);
      const dev = ctx.mailDelivery === 'dev_mailbox';
      const after = dev
        ? ` Once approved, the single-use reset link goes to the dev mailbox at ${devMailboxUrl(ctx)} (no mail server is configured, so it is not emailed).`
        : ' Once approved, a single-use reset link is emailed to the address on file.';
      return { ...result, linkDelivery: dev ? 'dev_mailbox' : 'email', message: `${result.message}${after}` };
    },

    async requestCardDeactivation(caller, rctx, input) {
      const parsed = parseInput(cardRequestSchema, input, 'card deactivation request');
      return request(caller, rctx, 'card_deactivation', parsed.reason, { cardId: parsed.cardId, last4: parsed.last4 });
    },

    async requestCardUnfreeze(caller, rctx, input) {
      const parsed = parseInput(cardRequestSchema, input, 'card unfreeze request');
      return request(caller, rctx, 'card_unfreeze', parsed.reason, { cardId: parsed.cardId, last4: parsed.last4 });
    },

    async listPending(caller) {
      requireStaff(ctx, caller);
      return ctx.repos.approvals.listPending(ctx.now().toISOString(), PENDING_LIST_LIMIT);
    },

    async get(caller, approvalId) {
      requireStaff(ctx, caller);
      const id = parseInput(idString, approvalId, 'approval id');
      const found = await ctx.repos.approvals.get(id);
      if (!found) throw new AppError('not_found', `No approval ${id} was found.`);
      return found;
    },

    decide: (caller, input) => decideApproval(ctx, caller, input),

    async setStaffMessage(approvalId, ref) {
      const id = parseInput(idString, approvalId, 'approval id');
      const staffMessage = parseInput(staffMessageSchema, ref, 'staff message reference');
      await ctx.repos.transaction(async (tx) => {
        if (!(await tx.approvals.setStaffMessage(id, staffMessage))) throw new AppError('not_found', `No approval ${id} was found.`);
        await recordAudit(tx, ctx.now(), SYSTEM_ACTOR, 'approval.staff_message', `approval:${id}`, { channel: staffMessage.channel, ts: staffMessage.ts });
      });
    },

    /** Batches of due approvals, each with its audit entries in one transaction, until none is left. */
    async expireDue() {
      const changed: Approval[] = [];
      for (;;) {
        const batch = await ctx.repos.transaction((tx) => expirePending(tx, ctx.now()));
        changed.push(...batch);
        if (batch.length < EXPIRE_BATCH) return changed;
      }
    },
  };
}
