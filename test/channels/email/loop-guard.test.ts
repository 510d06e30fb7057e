import { describe, expect, it } from 'vitest';
import { analyzeEmail } from '../../../src/channels/email/analysis/analyze.js';
import { checkLoop, isOutOfOfficeSubject } from '../../../src/channels/email/analysis/loop-guard.js';
import { headersOf } from '../../../src/channels/email/reading/parse-headers.js';
import { readMail } from '../../../src/channels/email/reading/read-mail.js';
import { compose, fixture, options } from './fixtures/build.js';

async function decide(headers: Record<string, string> | string[], body?: string) {
  return analyzeEmail(compose(headers, body), options());
}

/** The loop guard's verdict with everything the reader found, the non-DSN bounce details included. */
async function guard(raw: Buffer) {
  const read = await readMail(raw, { maxBytes: 10 * 1024 * 1024, parseTimeoutMs: 5_000, maxTextChars: 8_000 });
  if (!read.ok) throw new Error(read.reason);
  const m = read.mail;
  const verdict = checkLoop({
    headers: headersOf(m.headers),
    fromAddresses: m.from.map((f) => f.address),
    subject: m.subject,
    messageId: m.messageId,
    contentType: m.contentType,
    partTypes: m.partTypes,
    ownAddresses: ['support@helpline.test'],
    isOwnMessageId: () => false,
    bounce: m.bounce,
  });
  return { verdict, bounce: m.bounce };
}

describe('loop guard', () => {
  it('answers an ordinary customer message', async () => {
    const a = await decide({});
    expect(a.action).toBe('reply');
    expect(a.class).toBe('person');
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

  it('ignores autoresponder markers, List-Unsubscribe and an empty Return-Path', async () => {
    for (const h of ['X-Autoreply: yes', 'X-Autorespond: 1', 'X-FC-MachineGenerated: true', 'List-Unsubscribe: <mailto:u@x.y>', 'Return-Path: <>']) {
      expect((await decide([h])).action, h).toBe('ignore');
    }
    expect((await analyzeEmail(fixture('list-mail.eml'), options())).reason).toBe('list header (List-Id)');
    expect((await decide(['Return-Path: <customer@example.com>'])).action).toBe('reply');
    expect((await decide(['X-Autoreply: no'])).action).toBe('reply');
    // Our own mailbox forwarding people's mail (a procmail X-Loop naming us, an Exchange redirect rule) is no robot.
    expect((await decide(['X-Loop: support@helpline.test'])).action).toBe('reply');
    expect((await decide(['X-MS-Exchange-Inbox-Rules-Loop: support@helpline.test'])).action).toBe('reply');
  });

  it('recognises list robots and list traffic that carry no List-Id', async () => {
    const headers = [
      'Mailing-List: contact bank-users-help@lists.example.org; run by ezmlm', 'List-Subscribe: <mailto:l-join@lists.example.org>',
      'List-Post: <mailto:l@lists.example.org>', 'List-Help: <mailto:l-request@lists.example.org?subject=help>', 'List-Owner: <mailto:l-owner@lists.example.org>',
      'List-Archive: <https://lists.example.org/archive/l>', 'X-MLServer: fml [fml 8.0]', 'X-Mailman-Version: 2.1.39', 'X-ML-Name: bank-users',
      'X-Loop: bank-users@lists.example.org', 'X-List-Administrivia: yes', 'X-BeenThere: l@lists.example.org', 'Delivered-To: mailing list l@lists.example.org',
    ];
    for (const h of headers) {
      const a = await decide([h]);
      expect([a.action, a.class], h).toEqual(['ignore', 'list']);
    }
    const senders = ['l-owner@lists.example.org', 'owner-l@lists.example.org', 'l-request@lists.example.org', 'l-bounces+x=y.example@lists.example.org', 'LISTSERV@lists.example.org', 'Majordomo@lists.example.org', 'sympa@lists.example.org', 'mailman@lists.example.org'];
    for (const s of senders) expect((await decide([`From: ${s}`])).class, s).toBe('list');
    expect((await decide(['Return-Path: <owner-rrga-l@list.example.org>'])).class).toBe('list');
    for (const subject of ['Your message to Bank-users awaits moderator approval', 'Non-member submission from [a@b.example]', 'You are not allowed to post to this mailing list', 'Request to mailing list Bank-users rejected']) {
      expect((await decide({ Subject: subject })).class, subject).toBe('list');
    }
    const held = await analyzeEmail(fixture('mailman-moderation.eml'), options());
    expect([held.action, held.class]).toEqual(['ignore', 'list']);
  });

  it('recognises mailer daemons under every spelling, but not a person writing from postmaster@', async () => {
    const froms = ['post_master@mx.example.com', 'mailer_daemon@mx.example.com', 'Mailer.Daemon@mx.example.com', 'MAILER-DAEMON <bounce-agent@mx.example.com>', 'Mail Delivery Subsystem <relay@mx.example.com>', 'postmaster@example.com'];
    for (const from of froms) {
      const a = await decide([`From: ${from}`]);
      expect([a.action, a.class], from).toEqual(['ignore', 'bounce']);
    }
    for (const from of ['no-reply@shop.example', 'noreply@x.example', 'gmail-noreply@google.example', 'do-not-reply@bank.example', 'donotreply@bank.example', 'notifications@github.example', 'Calendar <calendar-notification@google.example>']) {
      expect((await decide([`From: ${from}`])).class, from).toBe('auto');
    }
    expect((await decide(['From: noreen@example.com'])).action).toBe('reply');
    const admin = await analyzeEmail(fixture('postmaster-person.eml'), options());
    expect([admin.action, admin.class]).toEqual(['reply', 'person']);
  });

  it('recognises bounces that are not DSN-formatted and reads who bounced', async () => {
    const qmail = await guard(fixture('qmail-text-bounce.eml'));
    expect(qmail.verdict).toEqual({ kind: 'bounce', reason: 'bounce text (qmail)' });
    expect(qmail.bounce).toEqual({ recipients: ['olga.petrova@customer.example'], status: '5.1.1', action: 'failed', originalMessageIds: ['<helpline-reply-21@helpline.test>'], detected: 'bounce text (qmail)' });
    const exchange = await analyzeEmail(fixture('exchange-text-bounce.eml'), options());
    expect([exchange.action, exchange.class]).toEqual(['ignore', 'bounce']);
    expect(exchange.bounce).toMatchObject({ recipients: ['p.lind@fabrikam.example'], status: '5.1.10', action: 'failed', originalMessageIds: ['<helpline-reply-22@helpline.test>'] });
    const notices: Array<[string, string]> = [
      ['This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  gone@customer.example\n    SMTP error from remote mail server after RCPT TO:<gone@customer.example>:\n    550 5.1.1 User unknown', 'exim'],
      ['The original message was received at Tue, 24 Nov 2026 08:00:00 +0100\nfrom relay.example.net [192.0.2.1]\n\n   ----- The following addresses had permanent fatal errors -----\n<gone@customer.example>\n    (reason: 550 5.1.1 User unknown)', 'sendmail'],
      ['Your message\n\n  Subject: Your statement\n\nwas not delivered to:\n\n  gone@customer.example\n\nbecause:\n\n  User gone (gone@customer.example) not listed in Domino Directory', 'notes'],
      ['This is the mail system at host relay.example.net.\n\nI\'m sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<gone@customer.example>: host mx.customer.example said: 550 5.1.1 unknown user', 'postfix'],
      ['Delivery has failed to these recipients or groups:\n\ngone@customer.example (gone@customer.example)\nThe e-mail address you entered couldn\'t be found.', 'exchange'],
    ];
    for (const [body, mta] of notices) {
      const { verdict, bounce } = await guard(compose(['From: Relay <relay@relay.example.net>', 'Subject: Notice'], body));
      expect(verdict, mta).toEqual({ kind: 'bounce', reason: `bounce text (${mta})` });
      expect(bounce.recipients, mta).toEqual(['gone@customer.example']);
    }
    // A customer quoting or describing a bounce is still a person.
    const quoted = await guard(compose({ Subject: 'Re: your mail' }, 'I got this back:\n> Hi. This is the qmail-send program at relay.example.net.\n> <me@customer.example>: mailbox full\nWhat should I do?'));
    expect(quoted.verdict).toBeUndefined();
  });

  it('quarantines spam-flagged mail instead of answering it', async () => {
    const flagged = await analyzeEmail(fixture('spam-flagged.eml'), options());
    expect([flagged.action, flagged.class, flagged.reason]).toEqual(['quarantine', 'spam', 'spam verdict header (X-Spam-Flag)']);
    const verdicts = [
      'X-Spam-Status: Yes, score=9.1 required=5.0', 'X-SES-Spam-Verdict: FAIL', 'X-SES-Virus-Verdict: FAIL', 'X-Spam: Yes', 'X-Barracuda-Spam-Status: Yes, SCORE=7.2',
      'X-MS-Exchange-Organization-SCL: 6', 'X-Forefront-Antispam-Report: CIP:192.0.2.9;CTRY:;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;H:x;', 'X-Virus-Status: Infected with Eicar-Test-Signature',
      'X-Spam-Action: add header', 'X-Amavis-Alert: INFECTED, message contains virus: Eicar',
    ];
    for (const h of verdicts) {
      const a = await decide([h]);
      expect([a.action, a.class], h).toEqual(['quarantine', 'spam']);
    }
    const clean = ['X-Spam-Status: No, score=-1.0 required=5.0', 'X-Spam-Flag: NO', 'X-SES-Spam-Verdict: PASS', 'X-MS-Exchange-Organization-SCL: 1', 'X-Forefront-Antispam-Report: SFV:NSPM;SCL:1;', 'X-Virus-Status: Clean', 'X-Spam-Action: no action'];
    for (const h of clean) expect((await decide([h])).action, h).toBe('reply');
  });

  it('recognises ticket-system and notification mail by header family and RT auto-replies by subject', async () => {
    const rt = await analyzeEmail(fixture('rt-autoreply.eml'), options());
    expect([rt.action, rt.class]).toEqual(['ignore', 'ticket-system']);
    const headers = [
      'RT-Ticket: rt.vendor.example #40211', 'RT-Originator: a@b.example', 'Managed-By: Request Tracker 5.0.5', 'X-JIRA-FingerPrint: 0f1e2d3c4b5a',
      'X-Zendesk-From-Account-Id: 12ab34', 'X-Freshdesk-Ticket-Id: 991', 'X-GitHub-Reason: mention', 'X-GitHub-Sender: octocat', 'X-GitLab-Project: bank/app',
      'X-Zammad-Ticket-Number: 31001', 'X-OTRS-Queue: Raw', 'X-Bugzilla-Product: Bank', 'X-Redmine-Project: bank', 'X-Jenkins-Job: nightly',
    ];
    for (const h of headers) {
      const a = await decide([h]);
      expect([a.action, a.class], h).toEqual(['ignore', 'ticket-system']);
    }
    expect((await decide({ Subject: '[support.example #77] AutoReply: Re: Help' })).class).toBe('ticket-system');
    expect((await decide({ Subject: 'Re: [#T-12] My ticket about the auto reply I got' })).action).toBe('reply');
  });

  it('never answers an abuse complaint, ARF or not, and never passes on the reported message', async () => {
    const complaint = await analyzeEmail(fixture('abuse-complaint.eml'), options());
    expect([complaint.action, complaint.class]).toEqual(['ignore', 'abuse']);
    expect((await analyzeEmail(fixture('abuse-complaint.eml'), options())).reason).toBe('abuse report (abuse desk sender)');
    expect((await decide(['X-ARF: yes'])).class).toBe('abuse');
    expect((await decide({ Subject: '[SpamCop (https://www.spamcop.example/sc?id=z1) id:7788]Verify your account' })).class).toBe('abuse');
    const arf = compose(['Content-Type: multipart/report; report-type=feedback-report; boundary="b"'], '--b\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report\r\n--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n--b--');
    expect((await analyzeEmail(arf, options())).class).toBe('abuse');
    // People who write about spam, or forward a phishing mail to ask, are answered.
    expect((await decide({ Subject: 'Spam complaint: I keep getting offers from you' })).action).toBe('reply');
    const forwarded = await analyzeEmail(fixture('apple-mail-forwarded-phishing.eml'), options());
    expect([forwarded.action, forwarded.class]).toEqual(['reply', 'person']);
  });

  it('answers people: Outlook mail with X-Auto-Response-Suppress, thread replies, subjects that sound like robots', async () => {
    for (const name of ['outlook-customer.eml', 'gmail-thread-reply.eml', 'customer-plain.eml', 'customer-reply.eml']) {
      const a = await analyzeEmail(fixture(name), options());
      expect([a.action, a.class], name).toEqual(['reply', 'person']);
    }
    expect((await decide(['X-Auto-Response-Suppress: All'])).action).toBe('reply');
    expect((await decide(['X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply'])).action).toBe('reply');
    for (const subject of ['Delivery failure: my card never arrived', 'Delivery delayed for my new card', 'Auto: loan question', 'Not a member yet - can I open an account?', 'Undelivered statement', 'Returned mail from my landlord']) {
      expect((await decide({ Subject: subject })).action, subject).toBe('reply');
    }
  });

  it('recognises out-of-office subjects in common languages', async () => {
    const subjects = [
      'Out of Office: Help', 'Automatic reply: Your ticket [T-1001]', 'AW: Abwesenheitsnotiz: Ihre Anfrage', 'Réponse automatique : votre demande',
      'Respuesta automática: Ayuda', 'Afwezig: uw vraag', 'Risposta automatica: aiuto', 'Resposta automática: ajuda', 'Autoreply: hello',
      'Auto-Reply: hello', 'John Smith is out of the office.', 'Automatische Antwort: Hilfe', 'AUTO: Smith, John is out of the office.',
    ];
    for (const s of subjects) expect(isOutOfOfficeSubject(s), s).toBe(true);
    for (const s of ['Office hours question', 'Re: my card was declined', 'Absence of refund after 10 days', 'automatic payments failed', 'Auto: loan question']) {
      expect(isOutOfOfficeSubject(s), s).toBe(false);
    }
    expect((await analyzeEmail(fixture('out-of-office-de.eml'), options())).reason).toBe('out-of-office subject');
  });

  it('ignores our own mail, by address or by Message-ID', async () => {
    expect((await decide(['From: Helpline <SUPPORT@helpline.test>'])).reason).toBe('from our own address');
    const own = await analyzeEmail(compose({ 'Message-ID': '<ours-1@helpline.test>' }), options({
      lookup: { threadForMessageIds: async () => undefined, threadForTicket: async () => undefined, isOwnMessageId: async (id) => id === '<ours-1@helpline.test>' },
    }));
    expect(own.reason).toBe('our own Message-ID');
  });

  it('ignores a delivery-status report and reports the bounced recipient', async () => {
    const a = await analyzeEmail(fixture('bounce-dsn.eml'), options());
    expect(a.action).toBe('ignore');
    expect(a.reason).toBe('delivery status report');
    expect(a.bounce).toEqual({ recipients: ['gone@customer.example'], status: '5.1.1', action: 'failed', originalMessageIds: ['<helpline-reply-9@helpline.test>'] });
  });
});
