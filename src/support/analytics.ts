import Sentiment from 'sentiment';
import type { TicketCategory, TicketPriority } from '../store/schema.js';
import type { Analysis, Support } from './api.js';
import { stem, terms, words } from './text.js';

/** Weighted keyword rules per category: a stemmed term (or two-word phrase) and its weight. */
const RULES: Record<Exclude<TicketCategory, 'general'>, Array<[string, number]>> = {
  fraud: [['fraud', 4], ['fraudul', 4], ['scam', 4], ['unauthoriz', 3], ['unauthoris', 3], ['phish', 3], ['didnt make', 3], ['not me', 3], ['hack', 3], ['suspicious', 2], ['identity theft', 4], ['stolen', 1], ['dont recognize', 3], ['dont recognise', 3]],
  card: [['card', 2], ['lost', 2], ['stolen', 2], ['declin', 2], ['pin', 2], ['atm', 2], ['contactles', 2], ['deactivat', 3], ['block', 1], ['freez', 1], ['expir', 1], ['activat', 2], ['replacement', 2]],
  account_access: [['password', 3], ['login', 3], ['log in', 3], ['sign in', 3], ['locked out', 4], ['lock', 2], ['2fa', 3], ['verification code', 3], ['otp', 2], ['access', 2], ['username', 2], ['reset', 2]],
  billing: [['fee', 3], ['charg', 2], ['refund', 3], ['overdraft', 3], ['interest', 2], ['statement', 2], ['bill', 2], ['payment', 1], ['transfer', 1], ['balance', 1], ['dispute', 2], ['double', 1], ['twice', 2]],
  address: [['address', 4], ['moved', 3], ['mov', 2], ['relocat', 3], ['postcode', 2], ['zip', 2], ['mail', 1], ['street', 1]],
  technical: [['app', 3], ['crash', 3], ['error', 2], ['bug', 3], ['website', 2], ['load', 1], ['broken', 2], ['update', 1], ['notification', 1], ['screen', 1], ['slow', 1]],
};

const LOST_CARD = /\b(lost|stolen|missing|misplaced|can'?t find)\b[^.!?]{0,40}\bcard\b|\bcard\b[^.!?]{0,40}\b(lost|stolen|missing|misplaced)\b/i;

export function sentimentLabel(comparative: number): 'negative' | 'neutral' | 'positive' {
  if (comparative <= -0.05) return 'negative';
  if (comparative >= 0.05) return 'positive';
  return 'neutral';
}

function categorize(text: string): { name: TicketCategory; confidence: number } {
  const stems = terms(text);
  const bag = new Set(stems);
  const phrases = ` ${words(text).join(' ')} `;
  const scores = Object.entries(RULES).map(([name, rules]) => {
    let score = 0;
    for (const [rawKey, weight] of rules) {
      const phrase = rawKey.includes(' ');
      const key = phrase ? rawKey : stem(rawKey);
      const hit = phrase ? phrases.includes(` ${key} `) : bag.has(key) || (key.length >= 4 && stems.some((s) => s.startsWith(key)));
      if (hit) score += weight;
    }
    return { name: name as TicketCategory, score };
  });
  scores.sort((a, b) => b.score - a.score);
  const best = scores[0];
  const total = scores.reduce((sum, s) => sum + s.score, 0);
  if (!best || best.score < 2) return { name: 'general', confidence: total === 0 ? 0.5 : 0.3 };
  // Share of the evidence, tempered by how much evidence there is.
  const share = best.score / total;
  const strength = Math.min(1, best.score / 6);
  return { name: best.name, confidence: Math.round(Math.min(1, share * (0.5 + 0.5 * strength)) * 100) / 100 };
}

function derivePriority(text: string, category: TicketCategory, score: number, comparative: number): TicketPriority {
  if (category === 'fraud' || LOST_CARD.test(text)) return 'urgent';
  if (score <= -5 || comparative <= -0.5) return 'high';
  if (category === 'account_access' && /\blocked out\b|\bcan'?t (log|sign) ?in\b/i.test(text)) return 'high';
  if (category === 'general' && score >= 0) return 'low';
  return 'normal';
}

export const PRIORITY_RANK: Record<TicketPriority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

export function createAnalytics(): Support['analytics'] {
  const sentiment = new Sentiment();
  return {
    analyze(text: string): Analysis {
      const input = typeof text === 'string' ? text.slice(0, 20_000) : '';
      const s = sentiment.analyze(input);
      const comparative = Math.round(s.comparative * 1000) / 1000;
      const category = categorize(input);
      return {
        sentiment: { score: s.score, comparative, label: sentimentLabel(comparative) },
        category,
        priority: derivePriority(input, category.name, s.score, comparative),
      };
    },
  };
}
