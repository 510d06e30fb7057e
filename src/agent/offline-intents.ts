/** Intent detection for the offline assistant (plain rules over the customer's words). */

export type Intent =
  | { kind: 'confirm' }
  | { kind: 'decline' }
  | { kind: 'human' }
  | { kind: 'kb'; query: string }
  | { kind: 'password' }
  | { kind: 'card'; last4?: string; fullNumber?: boolean }
  | { kind: 'address' }
  | { kind: 'ticket_status'; ticketId: string }
  | { kind: 'ticket_list' }
  | { kind: 'ticket_create'; subject: string }
  | { kind: 'transactions'; limit: number }
  | { kind: 'balance' }
  | { kind: 'details' }
  | { kind: 'thanks' }
  | { kind: 'greeting' }
  | { kind: 'unknown' };

const FULL_CARD = /\b(?:\d[ -]?){12,18}\d\b/;
const WORD_NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

export function isConfirmation(text: string): boolean {
  return /^\s*(yes|y|yep|yeah|yup|sure|ok|okay|confirm(ed)?|correct|go ahead|please do|do it)\b/i.test(text);
}
export function isDecline(text: string): boolean {
  return /^\s*(no|n|nope|cancel|don'?t|do not|stop|never ?mind)\b/i.test(text);
}
export function emailIn(text: string): string | undefined {
  return /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/.exec(text)?.[0];
}
export function last4In(text: string): string | undefined {
  if (FULL_CARD.test(text)) return undefined;
  return /(?:ending(?: in| with)?|last (?:4|four)(?: digits)?(?: are| is)?|card)\s*:?\s*(\d{4})\b/i.exec(text)?.[1] ?? /(?<![\d-])\b(\d{4})\b(?![\d-])/.exec(text)?.[1];
}

function ticketSubject(text: string): string {
  const m = /\b(?:about|regarding|re|for|on|because|:)\s*[:-]?\s*(.+)$/is.exec(text);
  const subject = (m?.[1] ?? text).trim().replace(/[.!?]+$/, '');
  return subject.length > 120 ? `${subject.slice(0, 117)}…` : subject || 'Customer request';
}

export function detectIntent(raw: string): Intent {
  const text = raw.trim();
  const t = text.toLowerCase();
  if (isConfirmation(t) && t.split(/\s+/).length <= 6) return { kind: 'confirm' };
  if (isDecline(t) && t.split(/\s+/).length <= 6) return { kind: 'decline' };
  const ticketId = /\bT-\d{1,9}\b/i.exec(text)?.[0];
  if (ticketId && !/\b(open|create|raise|new)\b/.test(t)) return { kind: 'ticket_status', ticketId: ticketId.toUpperCase() };
  if (/\b(human|real person|a person|someone real|an agent|representative|speak to (?:someone|somebody)|talk to (?:someone|somebody))\b/.test(t)) return { kind: 'human' };
  if (/^(how (do|can|should|would) (i|you)|where (can|do) i|is it possible|what (is|are) (the|your))\b/.test(t)) return { kind: 'kb', query: text };
  if (/\bpass(word|code)\b|\bcan'?t log ?in\b|\blocked out\b/.test(t)) return { kind: 'password' };
  if (/\bcards?\b/.test(t) && /\b(deactivate|block|freeze|cancel|disable|stop|lost|lose|stolen|missing|turn off)\b/.test(t)) {
    const last4 = last4In(text);
    return { kind: 'card', ...(last4 ? { last4 } : {}), ...(FULL_CARD.test(text) ? { fullNumber: true } : {}) };
  }
  if (/\b(change|update|new|moved?|correct)\b.*\baddress\b|\baddress\b.*\b(change|update)\b|\bmoved to\b/.test(t)) return { kind: 'address' };
  if (/\b(open|create|raise|file|log|submit|start)\b.*\b(ticket|complaint|case|support request)\b/.test(t)) return { kind: 'ticket_create', subject: ticketSubject(text) };
  if (/\bmy (tickets|cases|requests)\b|\bticket status\b|\bstatus of my\b/.test(t)) return { kind: 'ticket_list' };
  if (/\btransactions?\b|\bstatement\b|\brecent (payments|purchases|spending|activity)\b|\bwhat did i (spend|buy)\b|\bcharges?\b/.test(t)) {
    const n = /\b(?:last|recent|latest)\s+(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\b/.exec(t)?.[1];
    const limit = n ? (WORD_NUMBERS[n] ?? Number(n)) : 5;
    return { kind: 'transactions', limit: Math.min(Math.max(limit, 1), 100) };
  }
  if (/\bbalances?\b|\bhow much (money )?(do i have|have i got|is in)\b|\bfunds\b/.test(t)) return { kind: 'balance' };
  if (/\bmy (account )?(details|info|information)\b|\bmy address\b|\bmy cards\b|\bwhat cards\b|\bwhich cards\b/.test(t)) return { kind: 'details' };
  if (/^(thanks|thank you|thx|cheers|great,? thanks)\b/.test(t)) return { kind: 'thanks' };
  if (/^(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening))\b/.test(t) && t.length <= 60) return { kind: 'greeting' };
  if (text.includes('?') || /^(how|what|why|when|where|can|could|do|does|is|are|which|who|should)\b/.test(t)) return { kind: 'kb', query: text };
  return { kind: 'unknown' };
}
