/**
 * What the assistant's last reply is waiting for: recognised from its own wording (texts.ts), so nothing is stored.
 * Every reply that ends in a question is one of these, so a "yes" or "no" to it always has an answer.
 */
import type { CardMode } from './actions.js';
import type { AddressField } from './address.js';
import { INTENT_LABEL, INTENT_NAMES, type IntentName } from './intents.js';
import {
  ADDRESS_NEED, ANYTHING_ELSE, ASK_CARD_FOR, CLARIFY, CONFIRM_ADDRESS, CONFIRM_DEACTIVATE, CONFIRM_TICKET, CONFIRM_URGENT_TICKET, WHAT_CAN_I_DO,
} from './texts.js';

export interface ListedCard { brand: string; last4: string }

export type Pending =
  | { kind: 'address_confirm' }
  | { kind: 'address_more'; missing: AddressField[] }
  | { kind: 'deactivate_confirm'; last4: string }
  | { kind: 'urgent_ticket'; last4: string | undefined }
  | { kind: 'ticket' }
  | { kind: 'card'; mode: CardMode; cards: ListedCard[] }
  | { kind: 'clarify'; options: IntentName[] }
  /** "Anything else?" / "What can I help you with?": a yes asks what, a no says goodbye. */
  | { kind: 'open' };

export const FIELD_LABEL: Readonly<Record<AddressField, string>> = { line1: 'street', city: 'town or city', postalCode: 'postcode', country: 'country' };

const cardIn = (reply: string) => /card ending (\d{4})/.exec(reply)?.[1];

export function pendingOf(reply: string): Pending | undefined {
  if (reply.includes(CONFIRM_ADDRESS)) return { kind: 'address_confirm' };
  if (reply.includes(CONFIRM_DEACTIVATE)) {
    const last4 = cardIn(reply);
    if (last4) return { kind: 'deactivate_confirm', last4 };
  }
  if (reply.includes(CONFIRM_URGENT_TICKET)) return { kind: 'urgent_ticket', last4: cardIn(reply) };
  if (reply.includes(CONFIRM_TICKET)) return { kind: 'ticket' };
  const mode = (Object.keys(ASK_CARD_FOR) as CardMode[]).find((m) => reply.includes(ASK_CARD_FOR[m]));
  if (mode) {
    const cards = [...reply.matchAll(/\b([A-Za-z]+) ending (\d{4})\b/g)].map((m) => ({ brand: m[1]!.toLowerCase(), last4: m[2]! }));
    return { kind: 'card', mode, cards };
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
  const end = reply.trimEnd();
  if (end.endsWith(ANYTHING_ELSE) || end.endsWith(WHAT_CAN_I_DO)) return { kind: 'open' };
  return undefined;
}

/** A pending question that only ends a conversation politely (tidy may add a real question after it). */
export const isOpenQuestion = (p: Pending | undefined): boolean => p?.kind === 'open';
