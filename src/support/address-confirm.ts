import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Repositories } from '../store/repos/index.js';
import type { Actor, AddressChange } from '../store/schema.js';
import type { AddressChangeConfirmed, AddressLinkState } from './api.js';
import { addressLines } from './address-request.js';
import { recordAudit } from './audit.js';
import { requireCustomer } from './authority.js';
import { actorOf, type Caller } from './caller.js';
import type { SupportContext } from './context.js';
import { parseLinkToken } from './link-mint.js';
import { hashPassword, verifySecret } from './passwords.js';
import { queueSystemEmail, scrubUsedLink } from './system-email.js';
import { idString, parseInput } from './validation.js';

type Refusal = 'unknown' | 'used' | 'expired' | 'superseded';
type Check = { ok: true; change: AddressChange } | { ok: false; reason: Refusal };

const REFUSED: Record<Refusal, { code: 'not_found' | 'conflict' | 'expired'; message: string }> = {
  unknown: { code: 'not_found', message: 'This address confirmation is not valid.' },
  used: { code: 'conflict', message: 'This address change has already been confirmed.' },
  superseded: { code: 'conflict', message: 'A newer address change was requested after this one, so this one can no longer be confirmed. Use the newest confirmation.' },
  expired: { code: 'expired', message: 'This address change has expired and was not applied. Please ask for the change again.' },
};

function refuse(reason: Refusal): AppError {
  return new AppError(REFUSED[reason].code, REFUSED[reason].message, { reason });
}

function stateOf(change: AddressChange, now: Date): Check {
  if (change.status === 'confirmed') return { ok: false, reason: 'used' };
  if (change.status === 'superseded') return { ok: false, reason: 'superseded' };
  if (Date.parse(change.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, change };
}

/**
 * Applies a pending change once, in one transaction: the compare-and-set on its status (a lost one says why from the
 * record), the address, the audit entry, and the notice to the email on file (as banks do: a change the customer did
 * not make is noticed). With `owner`, another customer's change is as unknown as a made-up one.
 */
async function apply(ctx: SupportContext, tx: Repositories, changeId: string, actor: Actor, via: 'link' | 'terminal', owner?: string): Promise<AddressChangeConfirmed> {
  const now = ctx.now();
  const won = await tx.addressChanges.confirm(changeId, { confirmedAt: now.toISOString(), confirmedVia: via, customerId: owner });
  if (!won.won) {
    const state = won.record ? stateOf(won.record, now) : undefined;
    throw refuse(state && !state.ok ? state.reason : 'unknown');
  }
  const change = won.record;
  const customer = await tx.customers.get(change.customerId);
  if (!customer) throw new AppError('not_found', 'The customer of this address change no longer exists.');
  await tx.customers.setAddress(customer.id, change.address);
  await scrubUsedLink(tx, `address-confirm:${changeId}`);
  await recordAudit(tx, now, actor, 'address.update', `customer:${customer.id}`, { changeId, via, previousCountry: customer.address.country, country: change.address.country });
  await queueSystemEmail(tx, now, {
    key: `address-changed:${changeId}`,
    to: customer.email,
    subject: 'Your postal address was changed',
    text: `Hello ${customer.name},\n\nThe postal address on your account was just changed to:\n\n${addressLines(change.address)}\n\n` +
      `If you made this change, there is nothing more to do. If you did not, contact support right away: ` +
      `we will restore it and secure your account.\n\n— Helpline support`,
  });
  return { changeId, customerId: customer.id, address: structuredClone(change.address) };
}

/** Confirming address changes: by the emailed link (the confirmation page) or by id (the terminal's `confirm`). Code only. */
export function createAddressConfirm(ctx: SupportContext) {
  // What an unknown id is checked against, made once per process on first use: the same scrypt work as a real
  // check, so an unknown id answers no faster than a known one.
  let dummy: Promise<string> | undefined;

  async function check(token: unknown): Promise<Check> {
    const parsed = parseLinkToken('adr', token);
    if (!parsed) return { ok: false, reason: 'unknown' };
    const change = await ctx.repos.addressChanges.get(parsed.id);
    // an unknown id costs the same hash check as a known one (no timing oracle)
    dummy ??= hashPassword(randomBytes(32).toString('base64url'));
    const stored = change?.tokenHashes[parsed.n];
    const matches = await verifySecret(parsed.secret, stored ?? (await dummy));
    if (!change || !stored || !matches) return { ok: false, reason: 'unknown' };
    return stateOf(change, ctx.now());
  }

  const confirmed = (r: AddressChangeConfirmed, via: 'link' | 'terminal') => {
    ctx.log?.info({ changeId: r.changeId, customerId: r.customerId, via }, 'address change confirmed');
    return r;
  };

  return {
    async inspectAddressChange(token: string): Promise<AddressLinkState> {
      const c = await check(token);
      return c.ok ? { valid: true, changeId: c.change.id, address: structuredClone(c.change.address) } : { valid: false, reason: c.reason };
    },

    async confirmAddressChange(token: string): Promise<AddressChangeConfirmed> {
      const c = await check(token);
      if (!c.ok) throw refuse(c.reason);
      const { id, customerId } = c.change;
      return confirmed(await ctx.repos.transaction((tx) => apply(ctx, tx, id, { kind: 'customer', id: customerId }, 'link')), 'link');
    },

    async confirmAddressChangeById(caller: Caller, changeId: string): Promise<AddressChangeConfirmed> {
      const id = parseInput(idString, changeId, 'address change id');
      const r = await ctx.repos.transaction(async (tx) => {
        const customer = await requireCustomer(tx, caller);
        // Only the caller's own changes: another customer's id is as unknown as a made-up one.
        return apply(ctx, tx, id, actorOf(caller), 'terminal', customer.id);
      });
      return confirmed(r, 'terminal');
    },
  };
}
