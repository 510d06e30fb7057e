import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Address, AddressChange, Customer } from '../store/schema.js';
import { channelSchema } from '../store/schema.js';
import type { AddressChangeRequested, AddressUpdate } from './api.js';
import { maskEmail } from './approval-decide.js';
import { recordAudit } from './audit.js';
import { requireCustomer } from './authority.js';
import { actorOf, type Caller, type RequestContext } from './caller.js';
import type { SupportContext } from './context.js';
import { normalizeCountry } from './countries.js';
import { newId } from './ids.js';
import { LINK_PLACEHOLDER } from './link-mint.js';
import { devMailboxUrl, NOT_EMAILED, queueSystemEmail } from './system-email.js';
import { optionalText, parseInput, text } from './validation.js';

const addressSchema = z.strictObject({
  line1: text(200),
  line2: optionalText(200),
  city: text(100),
  region: optionalText(100),
  postalCode: text(20).regex(/^[A-Za-z0-9 -]+$/, 'may contain only letters, digits, spaces and "-"'),
  country: z.string().max(20, 'must be an ISO 3166-1 alpha-2 code like US or DE'),
});
const whereSchema = z.looseObject({ threadKey: z.string().max(500).optional(), channel: channelSchema.optional() });

/** The postal address as lines, for mail to the customer. */
export function addressLines(a: Address): string {
  return [a.line1, a.line2, [a.postalCode, a.city].join(' '), a.region, a.country].filter(Boolean).join('\n');
}

/** The postal address on one line, for chat. */
export function addressOneLine(a: Address): string {
  return [a.line1, a.line2, a.city, [a.region, a.postalCode].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
}

function validAddress(raw: AddressUpdate): Address {
  const input = parseInput(addressSchema, raw, 'address');
  const country = normalizeCountry(input.country);
  if (!country) throw new AppError('bad_input', `Invalid address: country: "${input.country.slice(0, 20)}" is not an ISO 3166-1 alpha-2 code (e.g. US, GB, DE).`);
  const next: Address = { line1: input.line1, city: input.city, postalCode: input.postalCode.toUpperCase(), country };
  if (input.line2) next.line2 = input.line2;
  if (input.region) next.region = input.region;
  return next;
}

/** The confirmation mail, queued with a placeholder: its link is minted as the mail leaves (link-mint.ts). */
function linkEmail(ctx: SupportContext, customer: Customer, next: Address) {
  return {
    to: customer.email,
    subject: 'Confirm your new postal address',
    text:
      `Hello ${customer.name},\n\nWe received a request to change the postal address on your account to:\n\n${addressLines(next)}\n\n` +
      `Nothing changes until you confirm it here (the link works once and expires in ${ctx.resetTokenTtlMinutes} minutes):\n\n${LINK_PLACEHOLDER}\n\n` +
      `If you did not ask for this, do not use the link and contact support: your address stays as it is.\n\n— Helpline support`,
  };
}

function customerMessage(ctx: SupportContext, change: AddressChange, email: string, terminal: boolean): string {
  const head = `Your request to change your address to ${addressOneLine(change.address)} is recorded, but nothing has changed yet: it needs your own confirmation.`;
  const typed = `confirm ${change.id}`;
  if (ctx.mailDelivery === 'none') {
    return `${head} Email is not set up for this service, so no confirmation link was sent. To apply the change, type "${typed}" here within ${ctx.resetTokenTtlMinutes} minutes.`;
  }
  const where = ctx.mailDelivery === 'dev_mailbox'
    ? `The confirmation link is in the dev mailbox at ${devMailboxUrl(ctx)} (${NOT_EMAILED})`
    : `We emailed a confirmation link to ${maskEmail(email)}`;
  const link = `${where}: the change takes effect only when you open it and confirm (it works once and expires in ${ctx.resetTokenTtlMinutes} minutes).`;
  return `${head} ${link}${terminal ? ` You can also confirm it here by typing "${typed}".` : ''} A newer request replaces this one.`;
}

/**
 * `update_address`: records a pending change and sends the customer a single-use confirmation link (minted as the
 * mail leaves; only its scrypt hash is stored). The address changes only when the customer confirms (address-confirm.ts), never on a model's word.
 * With no mail server (outside production) the link goes to the local dev mailbox instead, and the message says so.
 * With neither the link cannot be sent: only the terminal's `confirm` command can confirm, so elsewhere it is refused.
 */
export async function requestAddressChange(ctx: SupportContext, caller: Caller, raw: AddressUpdate, rctx?: RequestContext): Promise<AddressChangeRequested> {
  const next = validAddress(raw);
  const where = parseInput(whereSchema, rctx ?? {}, 'request context');
  await requireCustomer(ctx.repos, caller);
  const terminal = where.channel === 'terminal';
  // A link goes out by email, or to the dev mailbox (no SMTP): `linked`; only real mail counts as `emailed`.
  const linked = ctx.mailDelivery !== 'none';
  const emailed = ctx.mailDelivery === 'email';
  if (!linked && !terminal) {
    throw new AppError('unavailable', 'Address changes are confirmed by a link we email to you, and email is not set up for this service. Nothing was changed; please contact support another way.');
  }
  const id = newId('adr');
  const { change, customer, replaced } = await ctx.repos.transaction(async (tx) => {
    const now = ctx.now();
    const customer = await requireCustomer(tx, caller);
    // All checks done: from here on, write.
    const replaced = await tx.addressChanges.supersedePending(customer.id, now.toISOString());
    const change: AddressChange = {
      id, customerId: customer.id, address: next, tokenHashes: [], requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ctx.resetTokenTtlMinutes * 60_000).toISOString(), status: 'pending',
    };
    if (where.channel) change.channel = where.channel;
    if (where.threadKey) change.threadKey = where.threadKey;
    await tx.addressChanges.create(change);
    if (linked) await queueSystemEmail(tx, now, { key: `address-confirm:${id}`, ...linkEmail(ctx, customer, next) });
    await recordAudit(tx, now, actorOf(caller), 'address.change_requested', `customer:${customer.id}`, {
      changeId: id, country: next.country, previousCountry: customer.address.country, linkEmailed: emailed, linkInDevMailbox: linked && !emailed, replaced,
    });
    return { change, customer, replaced };
  });
  ctx.log?.info({ changeId: id, customerId: customer.id, linkEmailed: emailed, replaced: replaced.length }, 'address change requested');
  return {
    status: 'pending_confirmation', changeId: id, address: { ...next }, expiresAt: change.expiresAt, linkEmailed: emailed,
    message: customerMessage(ctx, change, customer.email, terminal),
  };
}
