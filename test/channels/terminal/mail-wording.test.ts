/**
 * Nothing claims a mail was sent that was not. With SMTP configured, an approved password change says "emailed" and
 * the mail really reaches the SMTP server (smtp-server on loopback), and there is no dev mailbox page; with no SMTP in
 * production, there is no dev mailbox either, and the change is refused up front instead of promising a mail.
 * The real app (terminal chat, offline assistant, support, outbox, HTTP server) on the seed data in memory.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { startChat, type Chat } from './harness.js';

let sink: SmtpSink;
let chat: Chat | undefined;
beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink.stop(); });
afterEach(async () => {
  await chat?.close();
  chat = undefined;
});

/** Asks for a password change as cus_001 and approves it in the terminal; returns what was printed from the approval on. */
async function approvedPasswordChange(c: Chat): Promise<{ asked: string; decided: string }> {
  await c.say('user cus_001', /Now chatting as/);
  const asked = await c.say('I want to change my password', /helpline> /);
  const approvalId = /approve (apr_\w+)/.exec(asked)?.[1];
  expect(approvalId, asked).toBeDefined();
  const decided = await c.say(`approve ${approvalId}`, /helpline \(notice\)> /);
  return { asked, decided };
}

describe('what the customer is told matches where the mail went', () => {
  it('with SMTP configured: "emailed", the reset mail really goes out, and there is no dev mailbox', async () => {
    const deadImap = await freePort();
    chat = await startChat({
      EMAIL_IMAP_HOST: '127.0.0.1', EMAIL_IMAP_PORT: String(deadImap), EMAIL_IMAP_SECURE: 'false', EMAIL_IMAP_USER: 'support', EMAIL_IMAP_PASSWORD: 'x',
      EMAIL_SMTP_HOST: sink.host, EMAIL_SMTP_PORT: String(sink.port), EMAIL_FROM: 'Support <support@bank.test>', EMAIL_VERIFY_SENDER: 'false',
      PUBLIC_BASE_URL: 'https://help.bank.test',
    }, { app: { httpPort: 0 } });
    expect(chat.app.config.devMailbox.enabled).toBe(false);
    sink.messages.length = 0;
    const { asked, decided } = await approvedPasswordChange(chat);
    expect(asked).toContain('a single-use reset link goes to the email address on file');
    expect(asked).not.toMatch(/dev mailbox/i);
    expect(decided).toMatch(/helpline \(notice\)> We've emailed a password reset link to a…@example\.com\. It works once and expires in 30 minutes\./);
    const [mail] = await sink.waitFor(1);
    expect(mail?.to).toEqual(['ada.lovelace@example.com']);
    expect(mail?.subject).toBe('Reset your Helpline password');
    expect(mail?.text).toMatch(/https:\/\/help\.bank\.test\/reset\/rst_[a-f0-9]+\.[A-Za-z0-9_-]+/);
    expect(chat.output()).not.toContain('[dev mailbox]');
    expect((await fetch(`${chat.app.wired.http!.url}/dev/mailbox`)).status).toBe(404);
  });

  it('in production with no SMTP: no dev mailbox page, and a password change is refused rather than promised', async () => {
    chat = await startChat({ NODE_ENV: 'production' }, { app: { httpPort: 0 } });
    expect(chat.app.config.devMailbox.enabled).toBe(false);
    const url = chat.app.wired.http!.url;
    expect((await fetch(`${url}/dev/mailbox`)).status).toBe(404);
    expect((await fetch(`${url}/dev/mailbox/out_1`)).status).toBe(404);
    await chat.say('user cus_001', /Now chatting as/);
    const asked = await chat.say('I want to change my password', /helpline> /);
    expect(asked).toContain('email is not set up for this service');
    expect(asked).not.toMatch(/we('ve)? emailed|dev mailbox|approve apr_/i);
    expect((await chat.db()).approvals.filter((a) => a.action === 'password_change' && a.status === 'pending')).toEqual([]);
  });

  it('with no SMTP outside production the page is there; DEV_MAILBOX=off turns it (and the promise) off', async () => {
    chat = await startChat({}, { app: { httpPort: 0 } });
    expect((await fetch(`${chat.app.wired.http!.url}/dev/mailbox`)).status).toBe(200);
    await chat.close();
    chat = await startChat({ DEV_MAILBOX: 'off' }, { app: { httpPort: 0 } });
    expect((await fetch(`${chat.app.wired.http!.url}/dev/mailbox`)).status).toBe(404);
    await chat.say('user cus_001', /Now chatting as/);
    expect(await chat.say('I want to change my password', /helpline> /)).toContain('email is not set up for this service');
  });
});
