/** What the assistant's last reply is waiting for: recognised from its own wording (texts.ts), so nothing is stored. */
import type { AddressField } from './address.js';
import { INTENT_LABEL, INTENT_NAMES, type IntentName } from './intents.js';
import { ADDRESS_NEED, ASK_CARD, ASK_CARD_FREEZE, CLARIFY, CONFIRM_ADDRESS, CONFIRM_DEACTIVATE, CONFIRM_TICKET } from './texts.js';

export interface ListedCard { brand: string; last4: string }

export type Pending =
  | { kind: 'address_confirm' }
  | { kind: 'address_more'; missing: AddressField[] }
  | { kind: 'deactivate_confirm'; last4: string }
  | { kind: 'ticket' }
  | { kind: 'card'; freeze: boolean; cards: ListedCard[] }
  | { kind: 'clarify'; options: IntentName[] };

export const FIELD_LABEL: Readonly<Record<AddressField, string>> = { line1: 'street', city: 'town or city', postalCode: 'postcode', country: 'country' };

export function pendingOf(reply: string): Pending | undefined {
  if (reply.includes(CONFIRM_ADDRESS)) return { kind: 'address_confirm' };
  if (reply.includes(CONFIRM_DEACTIVATE)) {
    const last4 = /card ending (\d{4})/.exec(reply)?.[1];
    if (last4) return { kind: 'deactivate_confirm', last4 };
  }
  if (reply.includes(CONFIRM_TICKET)) return { kind: 'ticket' };
  if (reply.includes(ASK_CARD) || reply.includes(ASK_CARD_FREEZE)) {
    const cards = [...reply.matchAll(/\b([A-Za-z]+) ending (\d{4})\b/g)].map((m) => ({ brand: m[1]!.toLowerCase(), last4: m[2]! }));
    return { kind: 'card', freeze: reply.includes(ASK_CARD_FREEZE), cards };
  }
  const need = /I still need the ([^.]+?) of your new address\./.exec(reply)?.[1];
  if (need !== undefined && reply.includes(ADDRESS_NEED)) {
    const missing = (Object.keys(FIELD_LABEL) as AddressField[]).filter((f) => need.includes(FIELD_LABEL[f]));
    return { kind: 'address_more', missing };
  }
  if (reply.includes(CLARIFY)) {
    const asked = /Do you want me to ([^?]+)\?/.exec(reply.slice(reply.indexOf(CLARIFY)))?.[1] ?? '';
    const options = INTENT_NAMES.filter((i) => asked.includes(INTENT_LABEL[i])).sort((a, b) => asked.indexOf(INTENT_LABEL[a]) - asked.indexOf(INTENT_LABEL[b]));
    return { kind: 'clarify', options };
  }
  return undefined;
}
