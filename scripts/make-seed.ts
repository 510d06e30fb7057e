/**
 * Deterministic demo data: `npm run seed` writes data/seed.json. Same output on every run
 * (seeded PRNG, fixed reference date), validated against the store schema before writing.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dbSchema, emptyDb, type Account, type Customer, type Db } from '../src/store/schema.js';
import { makeCards, makeTransactions } from './seed/banking.js';
import { NOTES } from './seed/notes.js';
import { currencyFor, PEOPLE, phoneFor } from './seed/people.js';
import { createRng } from './seed/prng.js';
import { TICKETS } from './seed/ticket-specs.js';
import { makeTicket, staffId } from './seed/tickets.js';

export const REFERENCE_DATE = '2026-11-20T12:00:00.000Z';
export const SEED_PATH = fileURLToPath(new URL('../data/seed.json', import.meta.url));
const DAY = 86_400_000;
const FIRST_TICKET = 1001;

const customerId = (n: number) => `cus_${String(n).padStart(3, '0')}`;
const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();

export function buildSeed(): Db {
  const rng = createRng(20261120);
  const ref = Date.parse(REFERENCE_DATE);
  const db = emptyDb();
  let txnSeq = 0;
  const nextTxnId = () => `txn_${String(++txnSeq).padStart(5, '0')}`;
  const domains = ['example.com', 'example.org', 'example.net', 'mail.example.com'];
  const lostCardTicket = TICKETS.findIndex((t) => t.customer === 6 && t.category === 'card');

  PEOPLE.forEach((person, i) => {
    const n = i + 1;
    const num = String(n).padStart(3, '0');
    const id = customerId(n);
    const createdMs = ref - rng.int(200, 2600) * DAY - rng.int(0, DAY);
    const customer: Customer = {
      id, name: person.name,
      email: n === 1 ? 'ada.lovelace@example.com' : `${person.emailLocal}@${rng.pick(domains)}`,
      phone: phoneFor(person.address.country, rng.digits), address: person.address, createdAt: iso(createdMs),
    };
    if (n === 1) customer.slackUserId = 'U0DEMO00001';
    else if (n % 2 === 1) customer.slackUserId = `U0${rng.upperAlnum(9)}`;
    db.customers.push(customer);

    const currency = currencyFor(person.address.country);
    const types: Account['type'][] = ['checking'];
    if (n === 1 || (n !== 1 && rng.chance(0.55))) types.push('savings');
    if (n !== 1 && rng.chance(0.35)) types.push('credit');
    const accounts = types.map((type): Account => ({
      id: `acc_${num}_${type === 'checking' ? 'chk' : type === 'savings' ? 'sav' : 'crd'}`, customerId: id, type, currency,
      balanceMinor: type === 'checking' ? rng.int(15_000, 1_250_000) : type === 'savings' ? rng.int(100_000, 6_000_000) : -rng.int(0, 240_000),
      status: n === 7 && type === 'checking' ? 'frozen' : 'open',
      openedAt: iso(createdMs + rng.int(0, 30) * DAY),
    }));
    db.accounts.push(...accounts);
    for (const account of accounts) db.transactions.push(...makeTransactions(rng, ref, account, nextTxnId));

    const plan: ('active' | 'deactivated')[] =
      n === 1 ? ['active', 'active', 'deactivated']
      : n === 6 ? ['active', 'deactivated']
      : Array.from({ length: rng.int(1, 3) }, (_, k) => (k > 0 && rng.chance(0.3) ? 'deactivated' : 'active'));
    const lostAt = n === 6 && lostCardTicket >= 0 ? () => ref - TICKETS[lostCardTicket]!.daysAgo * DAY + 0.5 * 3_600_000 : undefined;
    db.cards.push(...makeCards(rng, ref, num, accounts, plan, lostAt));
  });

  TICKETS.forEach((spec, i) => db.tickets.push(makeTicket(spec, FIRST_TICKET + i, ref, customerId)));
  NOTES.forEach(([cus, staff, daysAgo, body, ticket], i) => {
    db.notes.push({
      id: `note_${String(i + 1).padStart(3, '0')}`, customerId: customerId(cus), author: { kind: 'staff', id: staffId(staff) },
      body, ...(ticket ? { ticketId: `T-${ticket}` } : {}), createdAt: iso(ref - daysAgo * DAY),
    });
  });
  db.state['tickets.nextNumber'] = FIRST_TICKET + TICKETS.length;
  return dbSchema.parse(db);
}

export function seedText(): string {
  return `${JSON.stringify(buildSeed(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const db = buildSeed();
  await writeFile(SEED_PATH, seedText());
  console.log(`wrote ${SEED_PATH}: ${db.customers.length} customers, ${db.accounts.length} accounts, ${db.cards.length} cards, ${db.transactions.length} transactions, ${db.tickets.length} tickets, ${db.notes.length} notes`);
}
