/**
 * What a customer may do to their own card at once: freeze it (lost at night, staff not there). Freezing is instant and
 * reversible; unfreezing and deactivating go through staff approval (approvals.ts). A frozen card can't be used: the
 * card's status in the store is the source of truth that payment authorisation reads.
 */
import { AppError } from '../errors.js';
import type { CardFrozen, Support } from './api.js';
import { recordAudit } from './audit.js';
import { requireCustomer } from './authority.js';
import { actorOf } from './caller.js';
import type { SupportContext } from './context.js';
import { cardInputSchema, findOwnCard } from './own-card.js';
import { parseInput, requestContextSchema } from './validation.js';

const freezeSchema = cardInputSchema({});

const REVERSIBLE =
  "It can't be used for payments while it is frozen. This is reversible: ask here to unfreeze it if you find it (a staff member approves unfreezing), " +
  "or ask to deactivate it for good if it is lost or stolen (that needs a staff member's approval too).";

export function createCards(ctx: SupportContext): Support['cards'] {
  return {
    async freeze(caller, rctx, input): Promise<CardFrozen> {
      const where = parseInput(requestContextSchema, rctx ?? {}, 'request context');
      const choice = parseInput(freezeSchema, input, 'card freeze');
      const r = await ctx.repos.transaction(async (tx) => {
        const customer = await requireCustomer(tx, caller);
        const card = findOwnCard(await tx.customers.cardsOf(customer.id), choice);
        if (card.status === 'deactivated') throw new AppError('conflict', `Your card ending ${card.last4} is deactivated, so there is nothing to freeze: it can't be used anyway.`);
        const changed = await tx.customers.freezeCard(card.id);
        if (changed.won) {
          await recordAudit(tx, ctx.now(), actorOf(caller), 'card.freeze', `card:${card.id}`, { customerId: customer.id, channel: where.channel });
        } else if (changed.record?.status !== 'frozen') {
          throw new AppError('conflict', `Your card ending ${card.last4} changed while freezing it; please try again.`);
        }
        return { card, won: changed.won };
      });
      const { card, won } = r;
      if (won) ctx.log?.info({ cardId: card.id, customerId: card.customerId }, 'card frozen');
      const message = won
        ? `Your card ending ${card.last4} is frozen now. ${REVERSIBLE}`
        : `Your card ending ${card.last4} was already frozen; it stays frozen. ${REVERSIBLE}`;
      return { status: 'frozen', cardId: card.id, last4: card.last4, alreadyFrozen: !won, message };
    },
  };
}
