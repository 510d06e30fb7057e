/** Which of the customer's own cards a request means: by id, or by its last 4 digits (a deactivated card only if no other matches). */
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Card } from '../store/schema.js';
import { idString } from './validation.js';

export const last4String = z.string().regex(/^\d{4}$/, 'must be exactly 4 digits');

export interface CardChoice { cardId?: string | undefined; last4?: string | undefined }

/** An input naming one card by `cardId` or `last4` (at least one), with `extra` fields. */
export function cardInputSchema<S extends z.ZodRawShape>(extra: S) {
  return z.strictObject({ cardId: idString.optional(), last4: last4String.optional(), ...extra })
    .refine((v) => (v as CardChoice).cardId !== undefined || (v as CardChoice).last4 !== undefined, { message: 'give the card id or its last 4 digits', path: ['cardId'] });
}

export function findOwnCard(own: Card[], input: CardChoice): Card {
  if (input.cardId !== undefined) {
    const card = own.find((c) => c.id === input.cardId);
    if (!card || (input.last4 !== undefined && card.last4 !== input.last4)) throw new AppError('not_found', 'No such card was found on your account.');
    return card;
  }
  const matches = own.filter((c) => c.last4 === input.last4);
  if (matches.length === 0) throw new AppError('not_found', `No card ending ${input.last4} was found on your account.`);
  const live = matches.filter((c) => c.status !== 'deactivated');
  if (live.length > 1) throw new AppError('conflict', `More than one of your cards ends ${input.last4}; please give the card id, or contact our staff.`);
  return live[0] ?? (matches[0] as Card);
}
