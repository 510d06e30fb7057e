/**
 * Several instances on one store and one mailbox: only the holder of the `imap-poller` lease opens an IMAP session;
 * the others stand by. When the holder loses the lease (it can no longer reach the store to renew it, as when its
 * process dies) it stops polling, and another instance takes over once the lease ends. Every mail is answered once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailChannel, type EmailChannel } from '../../../src/channels/email/index.js';
import { silentLogger } from '../../../src/config/logger.js';
import type { Repositories } from '../../../src/store/repos/index.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFakeConversations, createFakeStaff, directoryOf, emailConfig, rawMail, sleep, waitUntil } from '../../helpers/email-bot-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { reposFor } from '../../helpers/test-engine.js';
import { systemMailRenderer } from '../../helpers/system-mail.js';

/** The repositories as one instance sees them; `cut()` makes its lease calls fail as if the store were out of reach. */
function instanceView(repos: Repositories) {
  let cut = false;
  const leases = {
    ...repos.leases,
    acquire: (...a: Parameters<Repositories['leases']['acquire']>) => (cut ? Promise.reject(new Error('store unreachable')) : repos.leases.acquire(...a)),
    renew: (...a: Parameters<Repositories['leases']['renew']>) => (cut ? Promise.reject(new Error('store unreachable')) : repos.leases.renew(...a)),
  };
  return { repos: { ...repos, leases } as Repositories, cut: () => { cut = true; } };
}

describe.skipIf(!dovecotAvailable())('one IMAP poller among several instances (imap-poller lease)', () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  const channels: EmailChannel[] = [];
  beforeAll(async () => {
    [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
  });
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), sink?.stop()]);
  });
  afterEach(async () => {
    for (const c of channels.splice(0)) await c.stop();
  });

  it('polls from one instance only, and another takes over when the holder loses the lease', async () => {
    const repos = await reposFor();
    const conv = createFakeConversations(repos);
    const make = (name: string, view: Repositories) => {
      const channel = createEmailChannel({
        config: emailConfig(dovecot, sink, { imap: { pollIntervalMs: 300 } }), repos: view, instanceId: name,
        conversations: conv, directory: directoryOf([]), staff: createFakeStaff(), log: silentLogger(), renderSystemMail: systemMailRenderer(view),
        tuning: { imap: { backoffBaseMs: 100, backoffMaxMs: 300, commandTimeoutMs: 5_000 }, lease: { ttlMs: 1_500, renewMs: 300, retryMs: 200 }, outbox: { retryBaseMs: 100, pollMs: 100 } },
      });
      channels.push(channel);
      return channel;
    };
    const a = instanceView(repos);
    const first = make('instance-a', a.repos);
    const second = make('instance-b', repos);
    conv.attach(first.deliver);

    await first.start();
    await waitUntil(() => first.status().imap === 'connected', 5_000, 'first instance connected');
    await second.start();
    await waitUntil(() => second.status().imap === 'standby', 5_000, 'second instance standing by');
    expect((await repos.leases.get('imap-poller'))?.holder).toBe('instance-a');

    await dovecot.append(rawMail({ from: 'una@customer.test', subject: 'One', messageId: '<u1@customer.test>' }));
    await waitUntil(() => sink.messages.some((m) => m.inReplyTo === '<u1@customer.test>'), 10_000, 'first mail answered');
    expect(second.status().imap).toBe('standby');

    // The holder can no longer renew: it stops polling at once; the other takes over once the lease has ended.
    a.cut();
    const cutAt = Date.now();
    await waitUntil(() => first.status().imap !== 'connected', 5_000, 'holder stopped polling');
    await dovecot.append(rawMail({ from: 'una@customer.test', subject: 'Two', messageId: '<u2@customer.test>' }));
    await waitUntil(() => second.status().imap === 'connected', 10_000, 'second instance took over');
    expect(Date.now() - cutAt).toBeLessThan(5_000);
    expect((await repos.leases.get('imap-poller'))?.holder).toBe('instance-b');
    await waitUntil(() => sink.messages.some((m) => m.inReplyTo === '<u2@customer.test>'), 10_000, 'second mail answered');
    await sleep(500);
    expect(sink.messages.filter((m) => m.inReplyTo === '<u1@customer.test>')).toHaveLength(1);
    expect(sink.messages.filter((m) => m.inReplyTo === '<u2@customer.test>')).toHaveLength(1);
    expect(conv.calls).toEqual(['email:<u1@customer.test>', 'email:<u2@customer.test>']);
    expect(first.status().imap).toBe('standby');
  });
});
