/**
 * Outbox retention: sent and failed mail is dropped once past the retention, pending mail never is, and the
 * retention is applied on start and then at most once per interval (not on every send).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOutboxWorker, type OutboxWorker } from '../../../src/channels/email/outbox-worker.js';
import type { SmtpSender } from '../../../src/channels/email/smtp-sender.js';
import { silentLogger } from '../../../src/config/logger.js';
import type { OutboxItem } from '../../../src/store/schema.js';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { SUPPORT_FROM, waitUntil, sleep } from '../../helpers/email-bot-fixtures.js';

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

describe('email outbox retention', () => {
  let worker: OutboxWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('drops old sent and failed mail, keeps pending and recent mail, and applies the retention once per interval', async () => {
    const store = createMemoryStore();
    await store.update((db) => {
      db.outbox.push(
        item('oldsent', 'sent', 40),
        item('oldfailed', 'failed', 35),
        // Pending for 40 days (its next attempt not due yet): never dropped, however old.
        item('oldpending', 'pending', 40, { nextAttemptAt: iso(NOW + DAY) }),
        item('recentsent', 'sent', 2),
        // Old and sent, but its message is still queued (the bot was down for weeks before delivering "done"):
        // kept, because it is what stops the re-run turn from mailing the customer again.
        item('stillqueued', 'sent', 45, { payload: { kind: 'reply', sourceId: 'msg-queued', to: 'q@customer.test', subject: 'Re: hi', messageId: '<stillqueued@support.test>', text: 'Hello' } }),
      );
      db.processed['msg-queued'] = { id: 'msg-queued', channel: 'email', threadKey: 'email:<q@customer.test>', status: 'queued', receivedAt: iso(NOW - 45 * DAY), updatedAt: iso(NOW - 45 * DAY) };
    });
    let now = NOW;
    const sends: string[] = [];
    const sender: SmtpSender = { send: async (m) => { sends.push(m.messageId); return { ok: true, response: '250' }; }, close: () => undefined };
    worker = createOutboxWorker({
      store, sender, from: SUPPORT_FROM, log: silentLogger(), clock: () => new Date(now),
      retentionMs: 30 * DAY, pruneEveryMs: 3600_000, pollMs: 50,
    });
    worker.start();
    await waitUntil(() => store.read().outbox.length === 3, 5_000, 'retention applied on start');
    expect(store.read().outbox.map((i) => i.id).sort()).toEqual(['oldpending', 'recentsent', 'stillqueued']);
    expect(sends).toEqual([]); // nothing was due

    // Another old item appears: within the interval it stays, past it it goes.
    await store.update((db) => { db.outbox.push(item('later', 'sent', 31)); });
    worker.kick();
    await sleep(200);
    expect(store.read().outbox.map((i) => i.id)).toContain('later');
    now += 3600_000 + 1;
    worker.kick();
    await waitUntil(() => !store.read().outbox.some((i) => i.id === 'later'), 5_000, 'retention applied after the interval');
    expect(store.read().outbox.map((i) => i.id).sort()).toEqual(['oldpending', 'recentsent', 'stillqueued']);

    // Once that message is finished, its reply ages out like any other.
    await store.update((db) => { db.processed['msg-queued']!.status = 'done'; });
    now += 3600_000 + 1;
    worker.kick();
    await waitUntil(() => store.read().outbox.length === 2, 5_000, 'reply of a finished message dropped');
    expect(store.read().outbox.map((i) => i.id).sort()).toEqual(['oldpending', 'recentsent']);
  });
});
