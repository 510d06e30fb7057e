/** Tickets in the offline assistant: the subject in the customer's words, the offer, and opening one. */
import { isAnonymous, said, tool, type Ctx, type Data, type Step } from './actions.js';
import { contactFromContext } from './reading.js';
import { clip, CONFIRM_TICKET } from './texts.js';

const REQUEST_NOUN = /\b(?:ticket|complaint|case|support request|request)\b/i;
const OWN_SUBJECT = /\b(?:ticket|complaint|case|support request|request)\b(?:\s+for\s+(?:me|us))?\s*(?:(?:about|regarding|re|concerning|because|over|on|for)\b\s*|[:,\-–]\s*)(.+)$/is;

/** The subject the ticket request itself names ("a ticket about X", "complaint: X"); undefined for "a ticket for me". */
export function ownSubject(text: string): string | undefined {
  const s = OWN_SUBJECT.exec(text)?.[1]?.trim().replace(/[.!?]+$/, '').trim();
  return !s || /^(?:me|us|this|that|it|myself|please|pls|thanks|now)$/i.test(s) ? undefined : s;
}

/** "Can you raise a ticket for me? My November statement is missing." → "My November statement is missing". */
export function ticketSubject(text: string): string {
  const sentences = text.split(/(?<=[.?!])\s+/).map((s) => s.trim()).filter(Boolean);
  const i = sentences.findIndex((s) => REQUEST_NOUN.test(s));
  const own = i >= 0 ? ownSubject(sentences[i]!) : undefined;
  const rest = sentences.filter((_, j) => j !== i).join(' ').replace(/[.!?]+$/, '').trim();
  const subject = own ?? (rest || text.trim().replace(/[.!?]+$/, ''));
  return subject.length > 120 ? `${subject.slice(0, 117)}…` : subject || 'Customer request';
}

export function ticketOffer(subject: string, ctx: Ctx): Step {
  const needsEmail = isAnonymous(ctx.tools) && !contactFromContext(ctx.msgs);
  return said(`I can open a ticket for our team: "${subject}".${needsEmail ? ' Please include your email address with your answer.' : ''} ${CONFIRM_TICKET}`);
}

/** create_ticket; an unverified caller must give a contact email (`contact`, or the context note). */
export function openTicket(ctx: Ctx, subject: string, description: string, contact?: string, priority: 'normal' | 'high' = 'normal'): Step {
  if (!ctx.tools.has('create_ticket')) return said("Sorry, I can't open tickets in this conversation.");
  const input: Data = { subject: clip(subject, 200), description: clip(description || subject, 4000), priority };
  if (isAnonymous(ctx.tools)) {
    const email = contact ?? contactFromContext(ctx.msgs);
    if (!email) return said(`I need an email address so our team can reply. Please answer "yes" followed by your email address. ${CONFIRM_TICKET}`);
    input.contact = email;
  }
  return tool('create_ticket', input);
}
