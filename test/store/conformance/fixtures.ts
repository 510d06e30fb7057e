/** Records for the conformance suite: valid by the schema, with fixed times so every engine sees the same data. */
import type {
  Account, AddressChange, Approval, AuditEntry, Card, Customer, Draft, Note, Processed, QuarantineEntry, ResetToken, Transaction,
} from '../../../src/store/schema.js';
import type { NewOutboxItem, NewTicket, Repositories } from '../../../src/store/repos/index.js';

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');

/** The instant `minutes` after T0 (negative: before). */
export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

export function customer(n: number, extra: Partial<Customer> = {}): Customer {
  return {
    id: `cus_${String(n).padStart(3, '0')}`, name: `Customer ${n}`, email: `customer${n}@example.com`,
    address: { line1: `${n} Main St`, city: 'Springfield', postalCode: '12345', country: 'US' },
    createdAt: at(-100_000), ...extra,
  };
}

export function account(id: string, customerId: string, extra: Partial<Account> = {}): Account {
  return { id, customerId, type: 'checking', currency: 'USD', balanceMinor: 10_000, status: 'open', openedAt: at(-50_000), ...extra };
}

export function card(id: string, customerId: string, accountId: string, extra: Partial<Card> = {}): Card {
  return { id, customerId, accountId, brand: 'visa', last4: '4242', status: 'active', expMonth: 12, expYear: 2030, ...extra };
}

export function transaction(id: string, accountId: string, postedAt: string, extra: Partial<Transaction> = {}): Transaction {
  return { id, accountId, postedAt, merchant: 'Shop', amountMinor: -1234, currency: 'USD', category: 'shopping', status: 'posted', ...extra };
}

/** A customer with one account and one active card: `cus_00n`, `acc_n`, `card_n`. */
export async function seedCustomer(repos: Repositories, n: number, extra: Partial<Customer> = {}): Promise<Customer> {
  const c = customer(n, extra);
  await repos.customers.create(c);
  await repos.customers.addAccount(account(`acc_${n}`, c.id));
  await repos.customers.addCard(card(`card_${n}`, c.id, `acc_${n}`));
  return c;
}

export function newTicket(extra: Partial<NewTicket> = {}): NewTicket {
  const createdAt = extra.createdAt ?? at(0);
  return {
    customerId: null, subject: 'Help', description: 'Something is wrong', channel: 'web', priority: 'normal', category: 'general',
    sentiment: 0, status: 'open', createdAt, updatedAt: createdAt, messages: [],
    history: [{ at: createdAt, from: null, to: 'open', by: { kind: 'system', id: 'test' } }], ...extra,
  };
}

export function note(id: string, customerId: string, createdAt: string, extra: Partial<Note> = {}): Note {
  return { id, customerId, author: { kind: 'staff', id: 'U_STAFF' }, body: `note ${id}`, createdAt, ...extra };
}

export function approval(id: string, customerId: string, extra: Partial<Approval> = {}): Approval {
  return { id, customerId, action: 'password_change', reason: 'forgot it', requestedAt: at(0), expiresAt: at(60), status: 'pending', ...extra };
}

export function resetToken(id: string, customerId: string, extra: Partial<ResetToken> = {}): ResetToken {
  return { id, customerId, approvalId: 'apr_1', email: 'a@example.com', tokenHashes: ['scrypt$1$1$1$c2FsdA==$aGFzaA=='], createdAt: at(0), expiresAt: at(30), attempts: 0, ...extra };
}

export function addressChange(id: string, customerId: string, extra: Partial<AddressChange> = {}): AddressChange {
  return {
    id, customerId, address: { line1: '9 New Rd', city: 'Shelbyville', postalCode: '54321', country: 'US' },
    tokenHashes: ['scrypt$1$1$1$c2FsdA==$aGFzaA=='], requestedAt: at(0), expiresAt: at(30), status: 'pending', ...extra,
  };
}

export function draft(id: string, extra: Partial<Draft> = {}): Draft {
  return { id, kind: 'customer_note', input: { customerId: 'cus_001', body: 'hello' }, summary: 'Add a note', staffId: 'U_STAFF', createdAt: at(0), expiresAt: at(60), status: 'pending', ...extra };
}

export function auditEntry(id: string, target: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return { id, at: at(0), actor: { kind: 'system', id: 'test' }, action: 'test.write', target, ...extra };
}

export function ledgerEntry(id: string, extra: Partial<Processed> = {}): Processed {
  return { id, threadKey: 'slack:T1:C1:1.0', channel: 'slack', receivedAt: at(0), status: 'queued', updatedAt: at(0), message: { id, text: 'hi' }, ...extra };
}

export function outboxItem(id: string, extra: Partial<NewOutboxItem> = {}, payload: Partial<NewOutboxItem['payload']> = {}): NewOutboxItem {
  return {
    id, threadKey: 'email:<root@example.com>', nextAttemptAt: at(0), createdAt: at(0),
    payload: { kind: 'reply', to: 'Someone@Example.com', subject: 'Re: help', text: 'Hello', ...payload }, ...extra,
  };
}

export function quarantineEntry(id: string, extra: Partial<QuarantineEntry> = {}): QuarantineEntry {
  return { id, at: at(0), channel: 'email', ref: `<${id}@example.com>`, reason: 'too large', ...extra };
}

/** Resolves after `ms` milliseconds (real time: lease expiry). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
