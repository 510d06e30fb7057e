import { afterEach, describe, expect, it } from 'vitest';
import { dm, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('Slack Socket Mode (real receiver against a local fake)', () => {
  it('connects with the app token, acks an events_api envelope and handles it', async () => {
    h = await startHarness({ config: { mode: 'socket', appToken: 'xapp-test', signingSecret: undefined, port: undefined } });
    const hh = h;
    expect(h.channel.status()).toBe('connected');
    const open = h.fake.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe('xapp-test');
    expect(h.fake.socketConnections()).toBe(1);

    const body = dm(h.fake, { text: 'hi over the socket' });
    const ack = await h.fake.sendEnvelope({ type: 'events_api', payload: body, retry_attempt: 0, retry_reason: '', accepts_response_payload: false });
    expect(ack.envelope_id).toMatch(/^env-/);
    const [post] = await h.fake.waitFor(() => hh.fake.callsOf('chat.postMessage').length === 1 && hh.fake.callsOf('chat.postMessage'));
    expect(post?.args).toMatchObject({ channel: 'D0CUST', thread_ts: body.event.ts, text: 'You said: hi over the socket' });
    expect(post?.token).toBe('xoxb-test');

    // the same envelope redelivered (retry_attempt 1) is acked and dropped
    const again = await h.fake.sendEnvelope({ type: 'events_api', payload: body, retry_attempt: 1, retry_reason: 'timeout' });
    expect(again.envelope_id).toBeTruthy();
    await new Promise((r) => setTimeout(r, 100));
    expect(h.convs.turns).toHaveLength(1);
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(1);

    await h.channel.stop();
    expect(h.channel.status()).toBe('down');
  });
});

describe('Slack start-up errors', () => {
  it('a rejected bot token is a config error naming the variable, and the channel is down', async () => {
    const { startFakeSlack } = await import('../../helpers/fake-slack.js');
    const fake = await startFakeSlack();
    fake.script('auth.test', { body: { ok: false, error: 'invalid_auth' } });
    await expect(startHarness({ fake })).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('SLACK_BOT_TOKEN') });
    await fake.close();
  });
});
