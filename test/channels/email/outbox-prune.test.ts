/**
 * Outbox retention: sent and failed mail is dropped once past the retention, pending mail never is, and the
 * retention (the channel's, run by the outbox worker after a pass) is applied on start and then at most once per
 * interval (not on every send), under the `retention` lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOutboxWorker, type OutboxWorker } from '../../../src/channels/email/outbound/outbox-worker.js';
import type { SmtpSender } from '../../../src/channels/email/outbound/smtp-sender.js';
import { createEmailRetention } from '../../../src/channels/email/retention.js';
import { silentLogger } from '../../../src/config/logger.js';
import type { Repositories } from '../../../src/store/repos/index.js';
import { emptyDb, type OutboxItem } from '../../../src/store/schema.js';
import { SUPPORT_FROM, waitUntil, sleep } from '../../helpers/email-bot-fixtures.js';
import { reposFor } from '../../helpers/test-engine.js';
import { systemMailRenderer } from '../../helpers/system-mail.js';

const DAY = 24 * 3600_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

function item(id: string, status: OutboxItem['status'], ageDays: number, extra: Partial<OutboxItem> = {}): OutboxItem {
  const at = iso(NOW - ageDays * DAY);
  return {
    id, channel: 'email', threadKey: `email:<${id}@customer.test>`, status, attempts: 1, createdAt: at, nextAttemptAt: at,
    payload: { kind: 'reply', to: `${id}@customer.test`, subject: 'Re: hi', messageId: `<${id}@support.test>`, text: 'Hello' },
    ...(status === 'sent' ? { sentAt: at } : {}),
    ...extra,
  };
}

/** Which of these outbox items exist, sorted. */
async function present(repos: Repositories, ids: string[]): Promise<string[]> {
  const found = await Promise.all(ids.map(async (id) => ((await repos.outbox.get(id)) ? id : undefined)));
  return found.filter((id): id is string => id !== undefined).sort();
}

/** A sent item `ageDays` old, written as an engine comes to hold it: queued, claimed, marked sent. */
async function seedSent(repos: Repositories, id: string, ageDays: number): Promise<void> {
  const at = iso(NOW - ageDays * DAY);
  const payload = { kind: 'reply' as const, to: `${id}@customer.test`, subject: 'Re: hi', messageId: `<${id}@support.test>`, text: 'Hello' };
  await repos.outbox.enqueue({ id, threadKey: `email:<${id}@customer.test>`, payload, nextAttemptAt: at, createdAt: at });
  const [claimed] = await repos.outbox.claimDue({ now: at, limit: 1, holder: 'seed', leaseMs: 1000 });
  if (claimed?.id !== id || !(await repos.outbox.markSent(id, 'seed', at))) throw new Error(`could not seed ${id}`);
}

describe('email outbox retention', () => {
  let worker: OutboxWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('drops old sent and failed mail, keeps pending and recent mail, and applies the retention once per interval', async () => {
    const db = emptyDb();
    db.outbox.push(
        item('oldsent', 'sent', 40),
        item('oldfailed', 'failed', 35),
        // Pending for 40 days (its next attempt not due yet): never dropped, however old.
        item('oldpending', 'pending', 40, { nextAttemptAt: iso(NOW + DAY) }),
        item('recentsent', 'sent', 2),
        // Old and sent, but its message is still queued (the bot was down for weeks before delivering "done"):
        // kept, because it is what stops the re-run turn from mailing the customer again.
        item('stillqueued', 'sent', 45, { payload: { kind: 'reply', replyKind: 'reply', sourceId: 'msg-queued', to: 'q@customer.test', subject: 'Re: hi', messageId: '<stillqueued@support.test>', text: 'Hello' } }),
    );
    db.processed['msg-queued'] = { id: 'msg-queued', channel: 'email', threadKey: 'email:<q@customer.test>', status: 'queued', receivedAt: iso(NOW - 45 * DAY), updatedAt: iso(NOW - 45 * DAY) };
    const repos = await reposFor(db);
    const kept = () => present(repos, ['oldsent', 'oldfailed', 'oldpending', 'recentsent', 'stillqueued', 'later']);
    let now = NOW;
    const sends: string[] = [];
    const sender: SmtpSender = { send: async (m) => { sends.push(m.messageId); return { ok: true, response: '250' }; }, close: () => undefined };
    const clock = () => new Date(now);
    const log = silentLogger();
    const retention = createEmailRetention({ repos, clock, log, holder: 'test-instance', outboxRetentionMs: 30 * DAY, everyMs: 3600_000 });
    worker = createOutboxWorker({
      repos, sender, from: SUPPORT_FROM, log, clock, holder: 'test-instance', pollMs: 50, render: systemMailRenderer(repos), afterPass: () => retention.runIfDue(),
    });
    worker.start();
    await waitUntil(async () => (await kept()).length === 3, 5_000, 'retention applied on start');
    expect(await kept()).toEqual(['oldpending', 'recentsent', 'stillqueued']);
    expect(sends).toEqual([]); // nothing was due

    // Another old item appears: within the interval it stays, past it it goes.
    await seedSent(repos, 'later', 31);
    worker.kick();
    await sleep(200);
    expect(await kept()).toContain('later');
    now += 3600_000 + 1;
    worker.kick();
    await waitUntil(async () => !(await kept()).includes('later'), 5_000, 'retention applied after the interval');
    expect(await kept()).toEqual(['oldpending', 'recentsent', 'stillqueued']);

    // Once that message is finished, its reply ages out like any other.
    await repos.ledger.update('msg-queued', { status: 'done' }, iso(now));
    now += 3600_000 + 1;
    worker.kick();
    await waitUntil(async () => (await kept()).length === 2, 5_000, 'reply of a finished message dropped');
    expect(await kept()).toEqual(['oldpending', 'recentsent']);
  });

  it('runs on one instance at a time: another holding the retention lease defers it', async () => {
    const db = emptyDb();
    db.outbox.push(item('oldsent', 'sent', 40));
    const repos = await reposFor(db);
    const retention = createEmailRetention({ repos, clock: () => new Date(NOW), log: silentLogger(), holder: 'me', outboxRetentionMs: 30 * DAY });
    expect(await repos.leases.acquire('email-retention', 'someone-else', 60_000)).toBeDefined();
    await retention.runIfDue();
    expect(await present(repos, ['oldsent'])).toEqual(['oldsent']);
    await repos.leases.release('email-retention', 'someone-else');
    await retention.runIfDue(); // deferred a minute, not an hour
    expect(await present(repos, ['oldsent'])).toEqual(['oldsent']);
    const later = createEmailRetention({ repos, clock: () => new Date(NOW), log: silentLogger(), holder: 'me', outboxRetentionMs: 30 * DAY });
    await later.runIfDue();
    expect(await present(repos, ['oldsent'])).toEqual([]);
  });
});
