/**
 * An event is acked to Slack only once the message is in the durable ledger (conversations.handle resolved), and a
 * failed ledger write is not acked so Slack delivers it again — in HTTP mode and in Socket Mode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationsPort, InboundMessage } from '../../../src/conversations/types.js';
import { postEvent } from '../../helpers/slack-sign.js';
import { dm, SECRET, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A ledger that takes `delayMs` to become durable, and fails while `failing` is set. */
function slowLedger(delayMs: number) {
  const state = { failing: false, accepted: [] as InboundMessage[], finishedAt: [] as number[] };
  const port: ConversationsPort = {
    async handle(msg) {
      await new Promise((r) => setTimeout(r, delayMs));
      if (state.failing) throw new Error('disk full');
      state.accepted.push(msg);
      state.finishedAt.push(Date.now());
      return { accepted: true };
    },
    async notifyThread() {},
    deliverStaffReplies: async () => [],
    hasThread: async () => false,
  };
  return { port, state };
}

describe('Slack acks only what the ledger holds', () => {
  it('HTTP mode: the 200 comes after the ledger write; a failed write answers 500 and the retry is taken', async () => {
    const ledger = slowLedger(250);
    h = await startHarness({ conversations: ledger.port });
    const body = dm(h.fake, { text: 'hello' });
    const res = await postEvent(h.url, SECRET, body);
    const answeredAt = Date.now();
    expect(res.status).toBe(200);
    expect(ledger.state.accepted).toHaveLength(1);
    expect(answeredAt).toBeGreaterThanOrEqual(ledger.state.finishedAt[0]!);

    ledger.state.failing = true;
    const second = dm(h.fake, { text: 'second' });
    expect((await postEvent(h.url, SECRET, second)).status).toBeGreaterThanOrEqual(500);
    ledger.state.failing = false;
    expect((await postEvent(h.url, SECRET, second, { retryNum: 1 })).status).toBe(200);
    expect(ledger.state.accepted.map((m) => m.text)).toEqual(['hello', 'second']);
  });

  it('Socket Mode: the envelope ack comes after the ledger write; a failed write is not acked', async () => {
    const ledger = slowLedger(250);
    h = await startHarness({ conversations: ledger.port, config: { mode: 'socket', appToken: 'xapp-test', signingSecret: undefined, port: undefined } });
    const ack = await h.fake.sendEnvelope({ type: 'events_api', payload: dm(h.fake, { text: 'over the socket' }) });
    const ackedAt = Date.now();
    expect(ack.envelope_id).toMatch(/^env-/);
    expect(ledger.state.accepted).toHaveLength(1);
    expect(ackedAt).toBeGreaterThanOrEqual(ledger.state.finishedAt[0]!);

    ledger.state.failing = true;
    const unacked = await Promise.race([
      h.fake.sendEnvelope({ type: 'events_api', payload: dm(h.fake, { text: 'lost?' }) }).then(() => 'acked'),
      new Promise((r) => setTimeout(() => r('no ack'), 1500)),
    ]);
    expect(unacked).toBe('no ack');
  });
});
