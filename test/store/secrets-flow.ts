/**
 * The one-time-secret flows of secrets-at-rest.test.ts, end to end over any engine: Ann asks for a password change,
 * staff approve, the outbox worker mails the reset link over real SMTP (smtp-server on loopback), the reset page sets
 * a new password with it; then she changes her address and confirms it on the address page with the emailed link.
 * With `devMailbox` there is no mail server: the links go to the local dev mailbox (the dev mailbox worker) instead.
 * Returns every secret the flow handled, in each form it might be written in, for the at-rest scans.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { createAddressPage, createResetPage, startHttpServer } from '../../src/channels/http/index.js';
import { createDevMailbox, type DevMail } from '../../src/channels/email/dev-mailbox.js';
import { createOutboxWorker } from '../../src/channels/email/outbound/outbox-worker.js';
import { createSmtpSender } from '../../src/channels/email/outbound/smtp-sender.js';
import { silentLogger } from '../../src/config/logger.js';
import type { Repositories } from '../../src/store/repos/index.js';
import type { Customer } from '../../src/store/schema.js';
import { createSupport, type Caller, type Support } from '../../src/support/index.js';
import { verifySecret } from '../../src/support/passwords.js';
import { SUPPORT_FROM, waitUntil } from '../helpers/email-bot-fixtures.js';
import type { SmtpSink } from '../helpers/smtp-sink.js';

const KB_DIR = fileURLToPath(new URL('../../data/kb', import.meta.url));
const ANN: Caller = { kind: 'customer', customerId: 'cus_ann' };
const STAFF: Caller = { kind: 'staff', staffId: 'U_STAFF' };
export const ANN_EMAIL = 'Ann.Lee@example.com';
export const NEW_PASSWORD = 'Quiet harbour lamp 7&9+x';
const BERLIN = { line1: '5 New Way', city: 'Berlin', postalCode: '10115', country: 'DE' };
const BASE = 'https://help.example.com';

export interface Needle { what: string; bytes: Buffer }

/** A secret as written plainly, URL-encoded, form-encoded, JSON-escaped and base64'd. */
export function needles(what: string, value: string): Needle[] {
  const forms = new Map<string, string>([
    ['', value], [' (url-encoded)', encodeURIComponent(value)], [' (form-encoded)', new URLSearchParams({ v: value }).toString().slice(2)],
    [' (json)', JSON.stringify(value).slice(1, -1)], [' (base64)', Buffer.from(value).toString('base64')], [' (base64url)', Buffer.from(value).toString('base64url')],
  ]);
  const seen = new Set<string>();
  const out: Needle[] = [];
  for (const [suffix, form] of forms) if (!seen.has(form)) { seen.add(form); out.push({ what: `${what}${suffix}`, bytes: Buffer.from(form, 'utf8') }); }
  return out;
}

/** The needles found in `bytes`, as `where: what`. */
export function leaksIn(where: string, bytes: Buffer, all: readonly Needle[]): string[] {
  return all.filter((n) => bytes.includes(n.bytes)).map((n) => `${where}: ${n.what}`);
}

/** Ann, through the repositories (the same on every engine). */
export async function seedCustomers(repos: Repositories): Promise<void> {
  const ann: Customer = {
    id: 'cus_ann', name: 'Ann Lee', email: ANN_EMAIL, phone: '+1 555 0100', createdAt: '2024-01-01T00:00:00.000Z',
    address: { line1: '1 Oak St', city: 'Springfield', postalCode: '12345', country: 'US' },
  };
  await repos.customers.create(ann);
}

function supportOn(repos: Repositories, devMailbox: boolean): Support {
  return createSupport({
    repos, kbDir: KB_DIR, staff: { isStaff: (id) => id === 'U_STAFF' }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: BASE,
    resetDelivery: !devMailbox, devMailbox,
  });
}

/** Mail really sent over SMTP, or put in the dev mailbox: started over `repos`, and what reached the person. */
function mailer(sink: SmtpSink, devMailbox: boolean) {
  const devMail: DevMail[] = [];
  return {
    received: (): Array<{ subject: string; text: string }> => (devMailbox ? devMail : sink.messages),
    reset() { sink.messages.length = 0; devMail.length = 0; },
    start(repos: Repositories): { stop(): Promise<void> } {
      const common = { repos, log: silentLogger(), clock: () => new Date(), holder: 'secrets-test', pollMs: 50 };
      if (devMailbox) {
        const box = createDevMailbox({ ...common, from: SUPPORT_FROM, onMail: (m) => devMail.push(m) });
        box.start();
        return box;
      }
      const sender = createSmtpSender({ host: sink.host, port: sink.port, secure: false, user: undefined, password: undefined }, { timeoutMs: 5_000 });
      const worker = createOutboxWorker({ ...common, sender, from: SUPPORT_FROM });
      worker.start();
      return worker;
    },
  };
}

/** Opens `path` (`/reset/…`, `/confirm-address/…`) and submits its form with the CSRF pair, as a browser would. */
async function submit(url: string, path: string, fields: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const form = await fetch(`${url}${path}`);
  const html = await form.text();
  expect(form.status).toBe(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const done = await fetch(`${url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ csrf, ...fields }).toString(),
  });
  return { status: done.status, text: await done.text() };
}

/** Steps of the flow over the engine `repos()` returns at that moment (a test may restart the engine between them). */
export function secretsFlow(sink: SmtpSink, opts: { devMailbox?: boolean } = {}) {
  const devMailbox = opts.devMailbox ?? false;
  const mail = mailer(sink, devMailbox);
  mail.reset();
  const secrets: Needle[] = [...needles('new password', NEW_PASSWORD)];
  const linkIn = async (subject: string): Promise<string> => {
    await waitUntil(() => mail.received().some((m) => m.subject === subject), 10_000, `mail "${subject}"`);
    const found = mail.received().find((m) => m.subject === subject);
    return /https:\/\/help\.example\.com\/\S+/.exec(found?.text ?? '')?.[0] ?? '';
  };
  const remember = (kind: string, link: string) => {
    const token = link.slice(link.lastIndexOf('/') + 1);
    const secret = token.slice(token.indexOf('.') + 1);
    expect(secret.length).toBeGreaterThanOrEqual(20);
    secrets.push(...needles(`${kind} link`, link), ...needles(`${kind} token`, token), ...needles(`${kind} token secret`, secret));
    return token;
  };

  /** Mail every pending item, then run `fn` with the pages up; stops both. */
  async function withChannels<T>(repos: Repositories, fn: (url: string, support: Support) => Promise<T>): Promise<T> {
    const support = supportOn(repos, devMailbox);
    const log = silentLogger();
    const server = await startHttpServer({
      host: '127.0.0.1', port: 0, log, checks: {},
      resetPage: createResetPage({ passwords: support.passwords, log }),
      confirmAddressPage: createAddressPage({ addressChanges: support.accounts, log }),
    });
    const worker = mail.start(repos);
    try {
      const out = await fn(server.url, support);
      await waitUntil(async () => (await repos.outbox.countPending()) === 0, 10_000, 'outbox drained');
      return out;
    } finally {
      await worker.stop();
      await server.close();
    }
  }

  return {
    secrets,
    /** Ann asks, staff approve: the reset link is issued and queued (not sent yet). */
    async approve(repos: Repositories): Promise<string> {
      const support = supportOn(repos, devMailbox);
      const pending = await support.approvals.requestPasswordChange(ANN, {}, 'I forgot my password');
      const decided = await support.approvals.decide(STAFF, { approvalId: pending.approvalId, decision: 'approve' });
      expect(decided.outcome).toBe(devMailbox ? 'reset_link_in_dev_mailbox' : 'reset_link_emailed');
      remember('reset', decided.resetLink ?? '');
      return decided.resetLink ?? '';
    },
    /** The link is mailed and used; then the address change is asked for, mailed, confirmed and its notice mailed. */
    async useLinks(repos: Repositories, resetLink: string): Promise<void> {
      await withChannels(repos, async (url, support) => {
        expect(await linkIn('Reset your Helpline password')).toBe(resetLink);
        const reset = await submit(url, new URL(resetLink).pathname, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
        expect(reset.status).toBe(200);
        await support.accounts.updateAddress(ANN, BERLIN);
        const confirmLink = await linkIn('Confirm your new postal address');
        remember('address confirmation', confirmLink);
        expect((await submit(url, new URL(confirmLink).pathname)).status).toBe(200);
        await linkIn('Your postal address was changed');
      });
      await expectOutcome(repos);
    },
    /** A later, unrelated write (Ann opens a ticket), so that a journal follows the flow's last full rewrite. */
    async afterwards(repos: Repositories): Promise<void> {
      await supportOn(repos, devMailbox).tickets.create(ANN, {}, { subject: 'Thanks', description: 'The new password works.' });
    },
  };
}

/** The flow took effect: Ann's new password verifies, her address is Berlin, both links are used. */
export async function expectOutcome(repos: Repositories): Promise<void> {
  const ann = await repos.customers.get('cus_ann');
  expect(await verifySecret(NEW_PASSWORD, ann?.passwordHash ?? '')).toBe(true);
  expect(ann?.address).toMatchObject({ city: 'Berlin', country: 'DE' });
}
