/** SLACK_HOST: where the HTTP receiver listens, loopback unless configured (like HTTP_HOST). */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { postEvent } from '../../helpers/slack-sign.js';
import { dm, SECRET, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_PORT: '3000' };

describe('SLACK_HOST', () => {
  it('defaults to 127.0.0.1 (also when set empty), and is read when set', () => {
    expect(loadConfig(env).slack.host).toBe('127.0.0.1');
    expect(loadConfig({ ...env, SLACK_HOST: '' }).slack.host).toBe('127.0.0.1');
    expect(loadConfig({ ...env, SLACK_HOST: '0.0.0.0' }).slack.host).toBe('0.0.0.0');
  });

  it('with no host configured the receiver listens on loopback only', async () => {
    h = await startHarness({ config: { host: undefined } });
    expect(h.channel.address()).toMatchObject({ host: '127.0.0.1' });
  });

  it('the receiver listens where SLACK_HOST says, and only there', async () => {
    h = await startHarness({ config: { host: '127.0.0.2' } });
    const port = h.channel.address()?.port;
    expect(h.channel.address()).toMatchObject({ host: '127.0.0.2' });
    const there = await postEvent(`http://127.0.0.2:${port}/slack/events`, SECRET, dm(h.fake, { text: 'via the configured address' }));
    expect(there.status).toBe(200);
    await expect(postEvent(`http://127.0.0.1:${port}/slack/events`, SECRET, dm(h.fake, { text: 'elsewhere' }))).rejects.toThrow();
    expect(h.convs.handled.map((m) => m.text)).toEqual(['via the configured address']);
  });
});
