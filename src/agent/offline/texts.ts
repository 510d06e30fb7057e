/** The offline assistant's own wording. The questions that wait for an answer are recognised again by pending.ts. */

export const OFFLINE_MODEL_NAME = 'Helpline offline assistant';

export const CONFIRM_ADDRESS = 'Shall I request this address change? Please reply "yes" to request it or "no" to cancel.';
export const CONFIRM_TICKET = 'Shall I open this ticket? Please reply "yes" to confirm or "no" to cancel.';
export const CONFIRM_DEACTIVATE = 'Shall I request the deactivation instead? Please reply "yes" to request it or "no" to cancel.';
export const ASK_CARD = 'Which card should I deactivate?';
export const ASK_CARD_FREEZE = 'Which card should I freeze?';
export const ASK_CARD_UNFREEZE = 'Which card should I ask our staff to unfreeze?';
/** The question "which card?" per card request. */
export const ASK_CARD_FOR = { block: ASK_CARD, freeze: ASK_CARD_FREEZE, unfreeze: ASK_CARD_UNFREEZE } as const;
/** Offered once a lost or stolen card is frozen or its deactivation requested (the customer's card ending NNNN is named before it). */
export const CONFIRM_URGENT_TICKET = 'If you think someone else is using the card, I can also open an urgent ticket for our team. Shall I open one? Please reply "yes" to open it or "no" if not.';
/** Ends every request for missing address parts: "I still need the postcode and country of your new address." */
export const ADDRESS_NEED = 'of your new address.';
export const CLARIFY = 'I want to be sure I do the right thing.';
/** Ends the replies that close a request: a yes or no to it is answered too (pending.ts). */
export const ANYTHING_ELSE = 'Is there anything else I can help with?';
export const WHAT_CAN_I_DO = 'What can I help you with?';

export const INTRO = `Hello! I'm the ${OFFLINE_MODEL_NAME}: a small built-in helper (an intent classifier and rules), not a person and not Claude. I can show your balance, recent transactions or account details, request an address change (you confirm it yourself), freeze a card at once (or ask our staff to unfreeze or deactivate one), start a password change, open or check tickets, and search our help articles. You can ask for several of these in one message. With Claude connected (an Anthropic API key), I would also understand free-form questions and explain things in my own words. ${WHAT_CAN_I_DO}`;
export const UNVERIFIED = `I can't access account information in this conversation because your identity isn't verified. Please contact us from the email address or Slack account registered with us. I can still answer general questions, or open a ticket so a person can follow up. ${CONFIRM_TICKET}`;
export const STAFF_NOTE = 'That is a customer action, and this conversation is with a member of staff: the offline assistant only runs customer requests. Please use the staff tools (tickets, approvals) instead.';
export const THANKS_REPLY = `You're welcome! ${ANYTHING_ELSE}`;
export const NOTHING_PENDING = `There's nothing waiting for your confirmation right now. ${WHAT_CAN_I_DO}`;
export const CANCELLED = `OK, I won't do that. ${ANYTHING_ELSE}`;
export const GO_ON = `Sure. ${WHAT_CAN_I_DO}`;
export const GOODBYE = 'OK. Thanks for getting in touch — just write here whenever you need anything.';
export const FULL_CARD_NUMBER = "Please don't share full card numbers here — I only ever need the last 4 digits.";
export const FREEZE_UNAVAILABLE = "Freezing a card isn't available in this conversation, so I can't put a temporary freeze on it.";
export const HUMAN_SUBJECT = 'Customer asked to talk to a person';

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** The customer's own words for staff (already redacted of secrets by conversations). */
export const customerWords = (s: string) => `Customer wrote: "${clip(s.replace(/\s+/g, ' ').trim(), 400)}"`;
/** "a, b and c". */
export const listing = (items: readonly string[], last = 'and') => (items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`);

export const unknownReply = (text: string) =>
  `I'm the ${OFFLINE_MODEL_NAME} and I can't answer that myself (with Claude connected I could take on free-form requests like this). I can open a ticket so a person from our team can help: "${clip(text, 120)}". ${CONFIRM_TICKET}`;
export const clarifyReply = (options: readonly string[]) =>
  `${CLARIFY} Do you want me to ${listing(options, 'or')}? Please tell me in a few words (or say "person" to reach our team).`;
