/** What the offline assistant can understand a request to be. */

/** The classifier's intents (the keys of data/nlu/en.json's `intents`). */
export const INTENT_NAMES = [
  'details', 'balance', 'transactions', 'address', 'password', 'card_block', 'card_freeze', 'card_unfreeze', 'ticket_create', 'ticket_status',
  'ticket_list', 'human', 'kb', 'other', 'unclear', 'greeting', 'thanks', 'confirm', 'decline',
] as const;
export type IntentName = (typeof INTENT_NAMES)[number];

/** Intents that change something for the customer: a low-confidence reading of one of these asks, never acts. */
export const SENSITIVE: readonly IntentName[] = ['password', 'card_block', 'card_freeze', 'card_unfreeze', 'address'];
/** Requests about one card. */
export const CARD_INTENTS: readonly IntentName[] = ['card_block', 'card_freeze', 'card_unfreeze'];
/** Small talk and answers: never one of several requests in a message. */
export const CHATTER: readonly IntentName[] = ['greeting', 'thanks', 'confirm', 'decline'];

export const isIntentName = (s: string): s is IntentName => (INTENT_NAMES as readonly string[]).includes(s);
export const isSensitive = (i: IntentName): boolean => SENSITIVE.includes(i);

/** One thing the customer asked for, with the words it came from. */
export interface Request {
  intent: IntentName;
  /** The part of the message this request was read from (typos fixed, original case). */
  text: string;
  score: number;
}

/** How a customer message was understood: what to do, or which options to ask about. */
export interface Reading {
  requests: Request[];
  /** Set when the assistant is unsure: the intents to offer as options (2-3), instead of acting. */
  clarify?: IntentName[];
  /** The whole message, typos fixed (original case). */
  text: string;
}

/** How the assistant names each intent in a clarifying question. */
export const INTENT_LABEL: Readonly<Record<IntentName, string>> = {
  details: 'see the details we hold (address, cards)', balance: 'check your balance', transactions: 'see your recent transactions',
  address: 'change your postal address', password: 'change your password', card_block: 'deactivate a lost or stolen card',
  card_freeze: 'freeze a card', card_unfreeze: 'unfreeze a frozen card', ticket_create: 'open a ticket for our team', ticket_status: 'check a ticket',
  ticket_list: 'list your tickets', human: 'talk to a person', kb: 'search our help articles', other: 'something else', unclear: 'something else',
  greeting: 'say hello', thanks: 'say thanks', confirm: 'confirm', decline: 'cancel',
};
