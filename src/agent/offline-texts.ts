/** The offline assistant's own wording (replies built from tool results live in offline-replies.ts). */
import { CONFIRM_TICKET } from './offline-replies.js';

export const OFFLINE_MODEL_NAME = 'Helpline offline assistant';

export const INTRO = `Hello! I'm the ${OFFLINE_MODEL_NAME} (a simple rule-based helper, not a person). I can show your balance or recent transactions, request an address change (you confirm it yourself), deactivate a card, start a password change, open or check tickets, and search our help articles. What can I do for you?`;
export const UNVERIFIED = `I can't access account information in this conversation because your identity isn't verified. Please contact us from the email address or Slack account registered with us. I can still answer general questions, or open a ticket so a person can follow up. ${CONFIRM_TICKET}`;
export const STAFF_NOTE = 'That is a customer action, and this conversation is with a member of staff: the offline assistant only runs customer requests. Please use the staff tools (tickets, approvals) instead.';
export const ADDRESS_FORMAT = 'Please send the full new address in one message, for example: "change my address to 12 High Street, London SW1A 1AA, GB" (street, town and postcode, two-letter country code).';

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** The customer's own words for staff (already redacted of secrets by conversations). */
export const customerWords = (s: string) => `Customer wrote: "${clip(s.replace(/\s+/g, ' ').trim(), 400)}"`;
