import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analyze.js';
import { isOutOfOfficeSubject } from '../../../src/channels/email/loop-guard.js';
import { compose, fixture, options } from './fixtures/build.js';

async function decide(headers: Record<string, string> | string[], body?: string) {
  return analyzeEmail(compose(headers, body), options());
}

describe('loop guard', () => {
  it('answers an ordinary customer message', async () => {
    const a = await decide({});
    expect(a.action).toBe('reply');
    expect(a.reason).toBe('ok');
  });

  it('ignores Auto-Submitted other than "no", in any case and folded', async () => {
    expect((await analyzeEmail(fixture('auto-replied.eml'), options())).reason).toBe('auto-submitted: auto-replied');
    expect((await decide(['Auto-Submitted: Auto-Generated; owner-email="x@y.z"'])).reason).toBe('auto-submitted: auto-generated');
    expect((await decide(['Auto-Submitted:\r\n auto-notified'])).action).toBe('ignore');
    expect((await decide(['Auto-Submitted: No'])).action).toBe('reply');
    expect((await decide(['Auto-Submitted: no (human)'])).action).toBe('reply');
  });

  it('ignores bulk/junk/list/auto_reply precedence but not other values', async () => {
    for (const p of ['bulk', 'JUNK', 'list', 'auto_reply']) expect((await decide([`Precedence: ${p}`])).action).toBe('ignore');
    expect((await decide(['Precedence: first-class'])).action).toBe('reply');
  });

  it('ignores autoresponder markers, list mail and an empty Return-Path', async () => {
    for (const h of ['X-Autoreply: yes', 'X-Autorespond: 1', 'X-Auto-Response-Suppress: All', 'List-Unsubscribe: <mailto:u@x.y>', 'Return-Path: <>']) {
      const a = await decide([h]);
      expect(a.action, h).toBe('ignore');
    }
    expect((await analyzeEmail(fixture('list-mail.eml'), options())).reason).toBe('list mail (List-Id)');
    expect((await decide(['Return-Path: <customer@example.com>'])).action).toBe('reply');
  });

  it('ignores daemon and no-reply senders', async () => {
    for (const from of ['MAILER-DAEMON@mx.example.com', 'postmaster@example.com', 'no-reply@shop.example', 'noreply@x.example', 'do-not-reply@bank.example', 'donotreply@bank.example']) {
      expect((await decide([`From: ${from}`])).action, from).toBe('ignore');
    }
    expect((await decide(['From: noreen@example.com'])).action).toBe('reply');
  });

  it('ignores a delivery-status report and reports the bounced recipient', async () => {
    const a = await analyzeEmail(fixture('bounce-dsn.eml'), options());
    expect(a.action).toBe('ignore');
    expect(a.reason).toBe('delivery status report');
    expect(a.bounce).toEqual({ recipients: ['gone@customer.example'], status: '5.1.1', action: 'failed', originalMessageIds: ['<helpline-reply-9@helpline.test>'] });
  });

  it('ignores our own mail, by address or by Message-ID', async () => {
    expect((await decide(['From: Helpline <SUPPORT@helpline.test>'])).reason).toBe('from our own address');
    const own = await analyzeEmail(compose({ 'Message-ID': '<ours-1@helpline.test>' }), options({
      lookup: { threadForMessageIds: () => undefined, threadForTicket: () => undefined, isOwnMessageId: (id) => id === '<ours-1@helpline.test>' },
    }));
    expect(own.reason).toBe('our own Message-ID');
  });

  it('recognises out-of-office subjects in common languages', async () => {
    const subjects = [
      'Out of Office: Help', 'Automatic reply: Your ticket [T-1001]', 'AW: Abwesenheitsnotiz: Ihre Anfrage', 'Réponse automatique : votre demande',
      'Respuesta automática: Ayuda', 'Afwezig: uw vraag', 'Risposta automatica: aiuto', 'Resposta automática: ajuda', 'Autoreply: hello',
      'Auto-Reply: hello', 'John Smith is out of the office.', 'Automatische Antwort: Hilfe',
    ];
    for (const s of subjects) expect(isOutOfOfficeSubject(s), s).toBe(true);
    for (const s of ['Office hours question', 'Re: my card was declined', 'Absence of refund after 10 days', 'automatic payments failed']) {
      expect(isOutOfOfficeSubject(s), s).toBe(false);
    }
    expect((await analyzeEmail(fixture('out-of-office-de.eml'), options())).reason).toBe('out-of-office subject');
  });
});
