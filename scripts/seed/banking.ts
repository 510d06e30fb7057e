import type { Account, Card, Transaction } from '../../src/store/schema.js';
import type { Rng } from './prng.js';

const DAY = 86_400_000;

type Spend = { category: string; merchants: Record<'USD' | 'EUR' | 'GBP', readonly string[]>; min: number; max: number };

const SPEND: readonly Spend[] = [
  { category: 'groceries', min: 1_200, max: 14_000, merchants: { GBP: ['Tesco', "Sainsbury's", 'Waitrose', 'Lidl'], EUR: ['Carrefour', 'Lidl', 'Albert Heijn', 'Mercadona', 'EDEKA'], USD: ['Whole Foods Market', "Trader Joe's", 'Safeway', 'Costco'] } },
  { category: 'dining', min: 800, max: 9_500, merchants: { GBP: ['Pret A Manger', 'Dishoom', 'Nando\'s'], EUR: ['Le Pain Quotidien', 'Vapiano', 'Café de Flore'], USD: ['Starbucks', 'Chipotle', 'Sweetgreen'] } },
  { category: 'transport', min: 250, max: 6_000, merchants: { GBP: ['TfL Travel', 'Uber', 'Trainline'], EUR: ['Deutsche Bahn', 'Uber', 'SNCF Connect', 'Bolt'], USD: ['Uber', 'Lyft', 'Shell'] } },
  { category: 'shopping', min: 1_500, max: 25_000, merchants: { GBP: ['Amazon UK', 'John Lewis', 'Boots'], EUR: ['Amazon.de', 'Zara', 'IKEA', 'Fnac'], USD: ['Amazon.com', 'Target', 'Best Buy'] } },
  { category: 'entertainment', min: 499, max: 3_000, merchants: { GBP: ['Netflix', 'Spotify', 'Odeon Cinemas'], EUR: ['Netflix', 'Spotify', 'Disney+'], USD: ['Netflix', 'Spotify', 'AMC Theatres'] } },
  { category: 'utilities', min: 3_000, max: 15_000, merchants: { GBP: ['Octopus Energy', 'Thames Water', 'BT'], EUR: ['Vattenfall', 'Iberdrola', 'Orange'], USD: ['ConEd', 'Comcast Xfinity', 'Verizon'] } },
  { category: 'travel', min: 4_000, max: 60_000, merchants: { GBP: ['British Airways', 'easyJet', 'Airbnb'], EUR: ['Ryanair', 'Lufthansa', 'Booking.com'], USD: ['Delta Air Lines', 'Airbnb', 'Marriott'] } },
  { category: 'health', min: 900, max: 12_000, merchants: { GBP: ['Boots Pharmacy', 'Bupa'], EUR: ['Apotheke am Markt', 'Pharmacie Centrale'], USD: ['CVS Pharmacy', 'Walgreens'] } },
];

/** Spread `n` timestamps over the 90 days before `ref`, oldest first. */
function times(rng: Rng, ref: number, n: number): number[] {
  return Array.from({ length: n }, () => ref - rng.int(60_000, 90 * DAY - 60_000)).sort((a, b) => a - b);
}

const EMPLOYERS = ['Northwind Traders', 'Contoso Ltd', 'Globex Corporation', 'Initech', 'Umbrella Health', 'Stark Logistics', 'Wayne Foods'];
const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();

/** 10+ transactions over the 90 days before `ref`, oldest first, ids in date order. */
export function makeTransactions(rng: Rng, ref: number, account: Account, nextId: () => string): Transaction[] {
  const cur = account.currency as 'USD' | 'EUR' | 'GBP';
  const employer = rng.pick(EMPLOYERS);
  const tx = (at: number, merchant: string, amountMinor: number, category: string): Transaction => ({
    id: '', accountId: account.id, postedAt: iso(at), merchant, amountMinor, currency: cur, category,
    status: ref - at < 3 * DAY && amountMinor < 0 && rng.chance(0.6) ? 'pending' : 'posted',
  });
  const out: Transaction[] = [];
  if (account.type === 'savings') {
    for (let m = 0; m < 3; m++) out.push(tx(ref - (m * 30 + 5) * DAY - rng.int(0, 3600_000), 'Interest', rng.int(150, 4_800), 'interest'));
    for (const at of times(rng, ref, rng.int(7, 11))) {
      const deposit = rng.chance(0.75);
      out.push(tx(at, deposit ? 'Transfer from checking' : 'Transfer to checking', (deposit ? 1 : -1) * rng.int(5_000, 80_000), 'transfer'));
    }
  } else {
    if (account.type === 'checking') {
      for (let m = 0; m < 3; m++) out.push(tx(ref - (m * 30 + 20) * DAY - rng.int(0, 6 * 3600_000), `${employer} payroll`, rng.int(250_000, 650_000), 'income'));
    } else {
      for (let m = 0; m < 2; m++) out.push(tx(ref - (m * 30 + 12) * DAY, 'Card repayment — thank you', rng.int(20_000, 150_000), 'payment'));
    }
    for (const at of times(rng, ref, rng.int(9, 18))) {
      const s = rng.pick(SPEND);
      out.push(tx(at, rng.pick(s.merchants[cur]), -rng.int(s.min, s.max), s.category));
    }
  }
  return out.sort((a, b) => a.postedAt.localeCompare(b.postedAt)).map((t) => ({ ...t, id: nextId() }));
}

export function makeCards(
  rng: Rng,
  ref: number,
  customerNumber: string,
  accounts: readonly Account[],
  plan: readonly ('active' | 'deactivated')[],
  deactivatedAt?: (index: number) => number,
): Card[] {
  const payable = accounts.filter((a) => a.type !== 'savings');
  const used = new Set<string>();
  return plan.map((status, i) => {
    const account = payable[i % payable.length]!;
    const brand = account.type === 'credit' ? rng.pick(['visa', 'mastercard', 'amex'] as const) : rng.pick(['visa', 'mastercard'] as const);
    let last4 = rng.digits(4);
    while (used.has(last4)) last4 = rng.digits(4);
    used.add(last4);
    const card: Card = {
      id: `card_${customerNumber}_${i + 1}`, customerId: account.customerId, accountId: account.id, brand, last4, status,
      expMonth: rng.int(1, 12), expYear: rng.int(2027, 2030),
    };
    if (status === 'deactivated') card.deactivatedAt = iso(deactivatedAt?.(i) ?? ref - rng.int(2, 85) * DAY - rng.int(0, DAY));
    return card;
  });
}
