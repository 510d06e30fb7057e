/**
 * The one-time-secret flows of secrets-at-rest.test.ts, end to end over any engine: Ann asks for a password change,
 * staff approve, the outbox worker mails the reset link over real SMTP (smtp-server on loopback), the reset page sets
 * a new password with it; then she changes her address and confirms it on the address page with the emailed link.
 * The first SMTP attempt of the reset mail is refused (451), so the retry mints a second link: both are secrets.
 * With `devMailbox` there is no mail server: the links go to the local dev mailbox (the dev mailbox worker) instead,
 * and the reset mail is opened a second time there (a second link minted for the view).
 * Returns every secret the flow handled (every link handed to SMTP or shown), in each form it might be written in,
 * for the at-rest scans.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { createAddressPage, createResetPage, startHttpServer } from '../../src/channels/http/index.js';
import { createDevMailbox, type DevMail, type DevMailbox } from '../../src/channels/email/dev-mailbox.js';
import { createOutboxWorker } from '../../src/channels/email/outbound/outbox-worker.js';
import { createSmtpSender, type SmtpSender } from '../../src/channels/email/outbound/smtp-sender.js';
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

/**
 * Mail really sent over SMTP, or put in the dev mailbox: started over `repos`, what reached the person, and every
 * text that left (handed to SMTP, accepted or not; or shown by the dev mailbox).
 */
function mailer(sink: SmtpSink, devMailbox: boolean) {
  const devMail: DevMail[] = [];
  const left: string[] = [];
  let box: DevMailbox | undefined;
  return {
    received: (): Array<{ subject: string; text: string }> => (devMailbox ? devMail : sink.messages),
    left,
    reset() { sink.messages.length = 0; devMail.length = 0; left.length = 0; },
    /** The dev mailbox: open the message page of `id` once more (mints a link for this view). */
    async view(id: string): Promise<DevMail | undefined> {
      const m = await box?.get(id);
      if (m) left.push(m.text);
      return m;
    },
    start(repos: Repositories, support: Support): { stop(): Promise<void> } {
      const common = { repos, log: silentLogger(), clock: () => new Date(), holder: 'secrets-test', pollMs: 50, render: support.systemMail.render };
      if (devMailbox) {
        box = createDevMailbox({ ...common, from: SUPPORT_FROM, onMail: (m) => { devMail.push(m); left.push(m.text); } });
        box.start();
        return box;
      }
      const smtp = createSmtpSender({ host: sink.host, port: sink.port, secure: false, user: undefined, password: undefined }, { timeoutMs: 5_000 });
      const sender: SmtpSender = { ...smtp, send: (mail) => { left.push(mail.text ?? ''); return smtp.send(mail); } };
      const worker = createOutboxWorker({ ...common, sender, from: SUPPORT_FROM, retryBaseMs: 50, retryMaxMs: 100 });
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
  const LINK = /https:\/\/help\.example\.com\/\S+/;
  const linkIn = async (subject: string): Promise<string> => {
    await waitUntil(() => mail.received().some((m) => m.subject === subject), 10_000, `mail "${subject}"`);
    const found = mail.received().find((m) => m.subject === subject);
    return LINK.exec(found?.text ?? '')?.[0] ?? '';
  };
  /** Every link that left in a mail (or a dev mailbox view), each a secret. */
  const remember = () => {
    const kinds = { '/reset/': 'reset', '/confirm-address/': 'address confirmation' } as const;
    for (const text of mail.left.splice(0)) {
      const link = LINK.exec(text)?.[0];
      if (!link) continue;
      const kind = Object.entries(kinds).find(([path]) => link.includes(path))?.[1] ?? 'link';
      const token = link.slice(link.lastIndexOf('/') + 1);
      const secret = token.slice(token.lastIndexOf('.') + 1);
      expect(secret.length).toBeGreaterThanOrEqual(20);
      secrets.push(...needles(`${kind} link`, link), ...needles(`${kind} token`, token), ...needles(`${kind} token secret`, secret));
      links.push(link);
    }
  };
  const links: string[] = [];

  /** Mail every pending item, then run `fn` with the pages up; stops both. */
  async function withChannels<T>(repos: Repositories, fn: (url: string, support: Support) => Promise<T>): Promise<T> {
    const support = supportOn(repos, devMailbox);
    const log = silentLogger();
    const server = await startHttpServer({
      host: '127.0.0.1', port: 0, log, checks: {},
      resetPage: createResetPage({ passwords: support.passwords, log }),
      confirmAddressPage: createAddressPage({ addressChanges: support.accounts, log }),
    });
    const worker = mail.start(repos, support);
    try {
      const out = await fn(server.url, support);
      await waitUntil(async () => (await repos.outbox.countPending()) === 0, 10_000, 'outbox drained');
      return out;
    } finally {
      await worker.stop();
      await server.close();
      remember();
    }
  }

  return {
    secrets,
    /** Every link that left (all minted at send or view time). */
    links,
    /** Ann asks, staff approve: the reset token is issued and its mail queued, with no link yet (not sent yet). */
    async approve(repos: Repositories): Promise<void> {
      const support = supportOn(repos, devMailbox);
      const pending = await support.approvals.requestPasswordChange(ANN, {}, 'I forgot my password');
      const decided = await support.approvals.decide(STAFF, { approvalId: pending.approvalId, decision: 'approve' });
      expect(decided.outcome).toBe(devMailbox ? 'reset_link_in_dev_mailbox' : 'reset_link_emailed');
      expect(JSON.stringify(decided)).not.toContain('/reset/');
    },
    /**
     * The reset mail goes out (SMTP: its first attempt refused, so the retry mints a second link; dev mailbox: opened
     * once more, a second link) and the link that reached Ann is used; then the address change is asked for,
     * mailed, confirmed and its notice mailed.
     */
    async useLinks(repos: Repositories): Promise<void> {
      if (!devMailbox) sink.failNext({ code: 451, message: 'try again later' });
      await withChannels(repos, async (url, support) => {
        const resetLink = await linkIn('Reset your Helpline password');
        // SMTP: the second attempt's link (the first was refused); dev mailbox: the link minted as it was printed.
        expect(resetLink).toMatch(new RegExp(`/reset/rst_[a-f0-9]+\\.${devMailbox ? 0 : 1}\\.[A-Za-z0-9_-]{43}$`));
        if (devMailbox) {
          const shown = await mail.view((mail.received()[0] as DevMail).id);
          expect(LINK.exec(shown?.text ?? '')?.[0]).toMatch(/\/reset\/rst_[a-f0-9]+\.1\./);
        }
        const reset = await submit(url, new URL(resetLink).pathname, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
        expect(reset.status).toBe(200);
        await support.accounts.updateAddress(ANN, BERLIN);
        const confirmLink = await linkIn('Confirm your new postal address');
        expect((await submit(url, new URL(confirmLink).pathname)).status).toBe(200);
        await linkIn('Your postal address was changed');
      });
      expect(links.filter((l) => l.includes('/reset/'))).toHaveLength(2);
      expect(links.filter((l) => l.includes('/confirm-address/'))).toHaveLength(1);
      await expectOutcome(repos);
    },
    /** What the store keeps of the links by design (their scrypt hashes), for a scan to show it reads where they live. */
    async storedHashes(repos: Repositories): Promise<Needle[]> {
      const ids = links.map((l) => l.slice(l.lastIndexOf('/') + 1).split('.')[0] as string);
      const out: Needle[] = [];
      for (const id of new Set(ids)) {
        const hashes = id.startsWith('rst_') ? (await repos.resetTokens.get(id))?.tokenHashes : (await repos.addressChanges.get(id))?.tokenHashes;
        for (const h of hashes ?? []) out.push({ what: `hash stored for ${id}`, bytes: Buffer.from(h) });
      }
      expect(out).toHaveLength(links.length);
      return out;
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
