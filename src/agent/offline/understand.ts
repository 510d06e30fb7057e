/**
 * Reading a customer message: the classifier chooses the intent of the message (and of each part, when it holds
 * several requests); rules only check that a sensitive intent is safe to act on, and otherwise ask.
 */
import { CARD_INTENTS, CHATTER, isIntentName, isSensitive, type IntentName, type Reading, type Request } from './intents.js';
import type { IntentModel } from './classifier.js';
import type { NluData } from './nlu-data.js';
import { maskAddress, type Normalise } from './normalise.js';
import { hasFullCardNumber, last4In, ticketIdsIn } from './slots.js';
import { splitRequests } from './split.js';
import { ownSubject } from './tickets.js';
import { writtenAddress } from './address.js';

/** Below: not understood. At or above T_ACT: act on a non-sensitive intent; T_SENSITIVE: on a sensitive one. */
const T_LOW = 0.45;
const T_ACT = 0.5;
const T_SENSITIVE = 0.65;
/** Two different sensitive intents closer than this: ask which. */
const T_MARGIN = 0.3;
const QUESTION = /\?\s*$|^(?:how|what|when|where|why|which|who|is|are|do|does|can|could|should|will|would)\b/i;
const YES = /^\s*(?:yes|y|yep|yeah|yup|ya|sure|ok|okay|k|confirm(?:ed)?|correct|go ahead|please do|do it|absolutely|definitely|right|that'?s right|affirmative)\b[\s,.!]*/i;
const NO = /^\s*(?:no|n|nope|nah|never ?mind|forget it|not now|negative|(?:cancel|stop|don'?t)(?=(?:\s+(?:that|it|this|please|thanks))*\s*[.!]*$))\b[\s,.!]*/i;

/** A reply that starts like "yes" (no classifier: for reading back earlier answers). */
export const isYesLike = (text: string): boolean => YES.test(text) && text.trim().split(/\s+/).length <= 8;

interface Part { intent: IntentName | 'None'; score: number; second: IntentName | 'None'; secondScore: number; text: string }

export interface Understanding {
  read(text: string): Promise<Reading>;
  /** "yes …" / "no …" as an answer (short, and the rest is not a request of its own). */
  answer(text: string): Promise<'yes' | 'no' | undefined>;
}

export function createUnderstanding(model: IntentModel, data: NluData, normalise: Normalise): Understanding {
  const guards = Object.fromEntries(Object.entries(data.guards).map(([k, g]) => [k, { topic: new RegExp(g.topic, 'i'), action: new RegExp(g.action, 'i') }]));
  const topicOf = (text: string) => ({
    card: guards.card!.topic.test(text) || Boolean(last4In(text)) || hasFullCardNumber(text),
    password: guards.password!.topic.test(text),
    address: guards.address!.topic.test(text),
  });
  const human = guards.human!;
  const unfreeze = guards.unfreeze!;
  const guardOk = (intent: IntentName, text: string): boolean => {
    const topics = topicOf(text);
    if (intent === 'password') return topics.password && guards.password!.action.test(text);
    // Undoing a freeze is never read as a freeze or a block (a freeze is instant): "unfreeze", "unblock", "unlock".
    if (intent === 'card_block' || intent === 'card_freeze') return topics.card && guards.card!.action.test(text) && !unfreeze.topic.test(text);
    if (intent === 'card_unfreeze') return (unfreeze.topic.test(text) || (topics.card && unfreeze.action.test(text))) && (topics.card || !/\baccounts?\b/i.test(text));
    if (intent === 'address') return (topics.address && guards.address!.action.test(text)) || writtenAddress(text) !== undefined;
    if (intent === 'human') return human.topic.test(text) && human.action.test(text);
    return true;
  };

  const part = async (raw: string): Promise<Part> => {
    const n = normalise(raw);
    const scores = (await model.classify(n.forClassifier)).filter((s) => s.score > 0);
    const name = (i: number) => { const s = scores[i]?.intent ?? 'None'; return isIntentName(s) ? s : 'None'; };
    // Words the classifier never saw tell it nothing: a message made mostly of them is not understood, however it scores.
    const trust = 0.4 + 0.6 * n.coverage;
    return { intent: name(0), score: (scores[0]?.score ?? 0) * trust, second: name(1), secondScore: (scores[1]?.score ?? 0) * trust, text: n.text };
  };
  /** The message names a card, a password or an address, or what is done to a card ("freeze it", "unblock it"). */
  const namesSubject = (text: string): boolean => {
    const t = topicOf(text);
    return t.card || t.password || t.address || guards.card!.action.test(text) || unfreeze.action.test(text);
  };
  const acts = (p: Part, guardText: string) =>
    p.intent !== 'None' && p.intent !== 'other' && p.intent !== 'unclear' && !CHATTER.includes(p.intent) && p.score >= T_ACT &&
    guardOk(p.intent, guardText) && (!isSensitive(p.intent) || p.score >= T_SENSITIVE);

  const options = (p: Part, text: string): IntentName[] => {
    const t = topicOf(text);
    const out: IntentName[] = [];
    if (t.card && unfreeze.topic.test(text)) out.push('card_unfreeze');
    if (t.card) out.push('card_block', 'card_freeze', 'details');
    if (t.password) out.push('password');
    if (t.address) out.push('address', 'details');
    // The classifier's guesses, but never a sensitive action the message does not name the subject of.
    for (const i of [p.intent, p.second]) if (i !== 'None' && i !== 'other' && i !== 'unclear' && !CHATTER.includes(i) && !(isSensitive(i) && !namesSubject(text))) out.push(i);
    if (out.length < 2) out.push(...(['address', 'password', 'kb'] as const));
    return [...new Set(out)].slice(0, 3);
  };

  /** One request read from `p` (the message, or its only actionable part), checked against the whole message. */
  const single = (p: Part, whole: Part): Reading => {
    const text = whole.text;
    const req = (intent: IntentName, from = p): Reading => ({ requests: [{ intent, text: from.text, score: from.score }], text });
    const ids = ticketIdsIn(text);
    if (ids.length && !['ticket_create', 'human', ...CARD_INTENTS, 'address', 'password'].includes(p.intent)) return req('ticket_status');
    const t = topicOf(text);
    const words = text.trim().split(/\s+/).length;
    // Vague ("change it", "I have a question about my card"): ask which — unless it is a long story about none of our topics.
    if (p.intent === 'unclear') return words <= 8 || t.card || t.password || t.address ? { requests: [], clarify: options(p, text), text } : req('other');
    // Only naming a card, an address or a password ("card", "my address"): ask what to do with it.
    const bare = words <= 2 && !guards.card!.action.test(text) && !unfreeze.topic.test(text) && !guards.password!.action.test(text) && !guards.address!.action.test(text);
    if (bare && (t.card || t.password || t.address)) return { requests: [], clarify: options(p, text), text };
    if (p.intent === 'human' && !guardOk('human', text)) return req('other');
    // A yes or no is only ever a short answer (see `answer`); longer words the classifier reads as one are not understood.
    if (p.intent === 'None' || p.score < T_LOW || p.intent === 'confirm' || p.intent === 'decline') {
      if (t.card || t.password || t.address) return { requests: [], clarify: options(p, text), text };
      return req(QUESTION.test(text.trim()) ? 'kb' : 'other');
    }
    // A sensitive guess about a message that names no card, password or address is not about that action at all
    // ("are you open on sundays"): answered as a question, not asked "did you mean unfreeze a card?".
    if (isSensitive(p.intent) && !guardOk(p.intent, text) && !namesSubject(text)) return req(QUESTION.test(text.trim()) ? 'kb' : 'other');
    if (isSensitive(p.intent)) {
      const rival = isSensitive(p.second as IntentName) && p.second !== p.intent && p.score - p.secondScore < T_MARGIN;
      if (!guardOk(p.intent, text) || p.score < T_SENSITIVE || rival) return { requests: [], clarify: options(p, text), text };
      return req(p.intent);
    }
    if (p.score < T_ACT && !CHATTER.includes(p.intent)) return req(QUESTION.test(text.trim()) ? 'kb' : p.intent);
    return req(p.intent);
  };

  const answer = async (text: string): Promise<'yes' | 'no' | undefined> => {
    if (text.trim().split(/\s+/).length > 8) return undefined;
    const m = YES.exec(text) ?? NO.exec(text);
    if (!m) {
      // Without a leading yes/no word, only a short reply can be an answer ("go for it", "leave it").
      if (text.trim().split(/\s+/).length > 4) return undefined;
      const p = await part(text);
      return p.score >= 0.6 && p.intent === 'confirm' ? 'yes' : p.score >= 0.6 && p.intent === 'decline' ? 'no' : undefined;
    }
    const rest = text.slice(m[0].length).trim();
    if (rest && acts(await part(rest), rest)) return undefined;
    return YES.test(text) ? 'yes' : 'no';
  };

  const read = async (raw: string): Promise<Reading> => {
    const yesNo = await answer(raw);
    const whole = await part(raw);
    if (yesNo) return { requests: [{ intent: yesNo === 'yes' ? 'confirm' : 'decline', text: whole.text, score: 1 }], text: whole.text };
    const pieces = splitRequests(maskAddress(raw));
    if (pieces.length < 2) return single(whole, whole);
    const parts = await Promise.all(pieces.map(part));
    const acting = parts.filter((p) => acts(p, p.text));
    const intents = [...new Set(acting.map((p) => p.intent as IntentName))];
    if (intents.length < 2) return single(acting[0] ?? whole, whole);
    // "Raise a ticket for me? <what it is about>" and "get me a person" take the whole message.
    const checking = intents.includes('ticket_list') || intents.includes('ticket_status');
    const absorbing = acting.find((p) => p.intent === 'human' || (p.intent === 'ticket_create' && !ownSubject(p.text) && !checking));
    if (absorbing) return { requests: [{ intent: absorbing.intent as IntentName, text: whole.text, score: absorbing.score }], text: whole.text };
    const requests: Request[] = intents.map((i) => acting.find((p) => p.intent === i)!).map((p) => ({ intent: p.intent as IntentName, text: p.text, score: p.score }));
    // A lost or stolen card comes first: it is the urgent one.
    const urgent = (r: Request) => (r.intent === 'card_block' || r.intent === 'card_freeze' ? 0 : 1);
    return { requests: requests.sort((a, b) => urgent(a) - urgent(b)), text: whole.text };
  };

  return { read, answer };
}
