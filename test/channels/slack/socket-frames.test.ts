/**
 * Socket Mode with frames Slack's real traffic (or a broken proxy) can send: every frame is checked before the
 * socket client or Bolt reads it. Malformed envelopes are acknowledged (not redelivered forever), logged and
 * counted; the connection stays up and the next message is answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dm, escapedErrors, sleep, startHarness, watchDrops, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const socket = { mode: 'socket' as const, appToken: 'xapp-test', signingSecret: undefined, port: undefined };

async function stillAnswers(hh: Harness): Promise<void> {
  const body = dm(hh.fake, { text: 'still there over the socket?' });
  const ack = await hh.fake.sendEnvelope({ type: 'events_api', payload: body, retry_attempt: 0, retry_reason: '' });
  expect(ack.envelope_id).toBeTruthy();
  const post = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postMessage').find((c) => c.args['thread_ts'] === body.event.ts));
  expect(post.args['text']).toBe('You said: still there over the socket?');
  expect(hh.channel.status()).toBe('connected');
}

describe('Socket Mode frames', () => {
  const envelopes: Array<[string, (id: string) => string]> = [
    ['an events_api envelope with payload null', (id) => JSON.stringify({ envelope_id: id, type: 'events_api', payload: null })],
    ['an events_api envelope without an event', (id) => JSON.stringify({ envelope_id: id, type: 'events_api', payload: { type: 'event_callback' } })],
    ['an events_api envelope whose event is named "error"', (id) => JSON.stringify({ envelope_id: id, type: 'events_api', payload: { type: 'event_callback', event: { type: 'error' } } })],
    ['an events_api envelope with event null', (id) => JSON.stringify({ envelope_id: id, type: 'events_api', payload: { type: 'event_callback', event: null } })],
    ['an interactive envelope with payload null', (id) => JSON.stringify({ envelope_id: id, type: 'interactive', payload: null })],
    ['an interactive envelope whose actions hold null', (id) => JSON.stringify({ envelope_id: id, type: 'interactive', payload: { type: 'block_actions', user: { id: 'U1' }, actions: [null] } })],
    ['a slash_commands envelope without user_id', (id) => JSON.stringify({ envelope_id: id, type: 'slash_commands', payload: { command: '/ticket', team_id: 'T0TEAM', channel_id: 'C1' } })],
    ['an envelope typed "close" (a name the socket client listens to)', (id) => JSON.stringify({ envelope_id: id, type: 'close', payload: {} })],
    ['an events_api envelope carrying an interactivity payload', (id) => JSON.stringify({ envelope_id: id, type: 'events_api', payload: { type: 'block_actions', user: { id: 'U1' }, actions: [{ type: 'button', action_id: 'a' }] } })],
  ];

  it.each(envelopes)('%s is acknowledged, counted, and the app keeps answering', async (_name, frame) => {
    const drops = watchDrops();
    h = await startHarness({ config: socket, deps: { onDropped: drops.onDropped } });
    const hh = h;
    const escaped = await escapedErrors(async () => {
      const ack = await hh.fake.sendFrame(frame('env-bad'), { envelopeId: 'env-bad' });
      expect(ack?.envelope_id).toBe('env-bad');
    });
    expect(escaped).toEqual([]);
    expect(drops.reasons.length).toBe(1);
    expect(['malformed', 'unhandled_type', 'unhandled_event']).toContain(drops.reasons[0]);
    expect(hh.convs.handled).toHaveLength(0);
    await stillAnswers(hh);
  });

  it.each([
    ['JSON null', 'null'],
    ['not JSON', 'hello {'],
    ['an array', '[1,2]'],
    ['a frame without a type', '{"envelope_id":"x"}'],
    ['an envelope without an id', '{"type":"events_api","payload":{"type":"event_callback","event":{"type":"message"}}}'],
  ])('%s does not stop the process or drop the connection', async (_name, raw) => {
    const drops = watchDrops();
    h = await startHarness({ config: socket, deps: { onDropped: drops.onDropped } });
    const hh = h;
    const escaped = await escapedErrors(() => hh.fake.sendFrame(raw, { timeoutMs: 150 }).then(() => undefined));
    expect(escaped).toEqual([]);
    expect(drops.reasons).toEqual(['malformed']);
    await stillAnswers(hh);
  });

  it('an event with an empty client_msg_id is acknowledged and answered once, even when redelivered', async () => {
    h = await startHarness({ config: socket });
    const hh = h;
    const body = dm(hh.fake, { text: 'empty key over the socket', extra: { client_msg_id: '' } });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const ack = await hh.fake.sendEnvelope({ type: 'events_api', payload: body, retry_attempt: attempt, retry_reason: attempt ? 'timeout' : '' });
      expect(ack.envelope_id).toBeTruthy();
    }
    await hh.fake.waitFor(() => hh.fake.callsOf('chat.postMessage').length === 1);
    await sleep(80);
    expect(hh.convs.turns).toHaveLength(1);
    expect(hh.convs.handled[0]?.id).toBe(`D0CUST:${body.event.ts}`);
  });

  it('a slash command and an approval click still reach their listeners and are acknowledged', async () => {
    h = await startHarness({ config: socket });
    const hh = h;
    const ack = await hh.fake.sendEnvelope({ type: 'slash_commands', payload: { command: '/ticket', text: 'help', team_id: hh.fake.teamId, channel_id: 'C0GEN', user_id: 'UCUST', response_url: `${hh.fake.baseUrl}/respond/cmd`, trigger_id: 't' } });
    expect(ack.envelope_id).toBeTruthy();
    const answer = await hh.fake.waitFor(() => hh.fake.callsOf('response_url')[0]);
    expect(JSON.stringify(answer.args)).toContain('/ticket');
    const unknownType = await hh.fake.sendFrame(JSON.stringify({ envelope_id: 'env-x', type: 'interactive', payload: { type: 'view_closed', user: { id: 'UCUST' }, view: { id: 'V1' } } }), { envelopeId: 'env-x' });
    expect(unknownType?.envelope_id).toBe('env-x');
  });
});
