import { z } from 'zod';
import { defineTool, OVERWRITE } from '../define-tool.js';
import { cardFrozen } from '../outputs.js';
import { last4 } from '../schemas.js';

export const freezeCard = defineTool({
  name: 'freeze_card',
  audience: ['customer'],
  title: 'Freeze my card now',
  description:
    "Freezes one of the signed-in customer's own cards at once, with no staff approval: a frozen card can't be used for payments. " +
    'It is the first thing to offer for a lost or stolen card (instant, any time of day); it is reversible, but unfreezing needs ' +
    "staff approval (unfreeze_card), and so does a permanent deactivation (request_card_deactivation), which a frozen card can still get. " +
    'Identify the card by `last4` (its last 4 digits; get_account_details lists the cards). Freezing a frozen card changes nothing and says so; ' +
    'a deactivated card cannot be frozen. Acts only on the customer of this conversation. Tell the customer what the result says.',
  inputSchema: z.strictObject({ last4: last4.describe('Last 4 digits of the card') }),
  outputSchema: cardFrozen,
  annotations: OVERWRITE,
  run: ({ support, caller, context }, input) => support.cards.freeze(caller, context, input),
  summarize: (r) => `Card ${r.cardId} (ending ${r.last4}) is frozen${r.alreadyFrozen ? ' (it already was)' : ' now'}. ${r.message}`,
});
