import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('SlackDeliver', () => {
  it('a retried reply after a partial failure posts only the missing parts', async () => {
    h = await startHarness({ deps: { appOptions: { webApiRetries: 0 } } });
    const key = `slack:${h.fake.teamId}:C0GEN:1710000000.000100`;
    const long = `${'a'.repeat(2500)}\n\n${'b'.repeat(2500)}\n\n${'c'.repeat(2500)}`;
    h.fake.script('chat.postMessage', { status: 200, body: { ok: false, error: 'internal_error' }, when: (a) => String(a['text']).startsWith('b') });
    await expect(h.channel.deliver.deliver(key, { text: long, kind: 'reply', inReplyToId: 'm1' })).rejects.toThrow(/internal_error/);
    await h.channel.deliver.deliver(key, { text: long, kind: 'reply', inReplyToId: 'm1' });
    const texts = h.fake.callsOf('chat.postMessage').filter((c) => (c.args['text'] as string) !== undefined).map((c) => String(c.args['text'])[0]);
    expect(texts).toEqual(['a', 'b', 'b', 'c']); // the failed 'b' attempt is recorded too; 'a' was not posted again
    for (const c of h.fake.callsOf('chat.postMessage')) expect(c.args).toMatchObject({ channel: 'C0GEN', thread_ts: '1710000000.000100' });
  });

  it('after a restart, a reply that may already be in the thread is read back from Slack and not posted twice', async () => {
    h = await startHarness();
    const fake = h.fake;
    const key = `slack:${fake.teamId}:D0CUST:1710000000.000500`;
    const long = `${'a'.repeat(2500)}\n\n${'b'.repeat(2500)}\n\n${'c'.repeat(2500)}`;
    await h.channel.deliver.deliver(key, { text: long, kind: 'reply', inReplyToId: 'm9' });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(3);
    expect(fake.callsOf('conversations.replies')).toHaveLength(0); // a first delivery costs no read
    // the process is killed before it records the delivery; a new one delivers the stored reply again
    const restarted = await startHarness({ fake });
    try {
      await restarted.channel.deliver.deliver(key, { text: long, kind: 'reply', inReplyToId: 'm9', maybeDelivered: true });
      expect(fake.callsOf('chat.postMessage')).toHaveLength(3);
      expect(fake.callsOf('conversations.replies')[0]?.args).toMatchObject({ channel: 'D0CUST', ts: '1710000000.000500' });
      // a different reply in the same thread is still posted
      await restarted.channel.deliver.deliver(key, { text: 'Something else', kind: 'reply', inReplyToId: 'm10', maybeDelivered: true });
      expect(fake.callsOf('chat.postMessage')).toHaveLength(4);
    } finally {
      await restarted.channel.stop();
    }
    // when Slack cannot be read back, the reply is posted again rather than lost
    const third = await startHarness({ fake, deps: { appOptions: { webApiRetries: 0 } } });
    try {
      fake.script('conversations.replies', { status: 200, body: { ok: false, error: 'internal_error' }, times: 5 });
      await third.channel.deliver.deliver(key, { text: long, kind: 'reply', inReplyToId: 'm9', maybeDelivered: true });
      expect(fake.callsOf('chat.postMessage')).toHaveLength(7);
    } finally {
      await third.channel.stop();
    }
  });

  it('a reply to a message this process never saw (sent after a restart) still removes the :eyes: reaction', async () => {
    h = await startHarness();
    const key = `slack:${h.fake.teamId}:D0CUST:1710000000.000300`;
    const meta = { slackChannel: 'D0CUST', slackTs: '1710000000.000300', threadTs: '1710000000.000300' };
    await h.channel.deliver.deliver(key, { text: 'Done.', kind: 'reply', inReplyToId: 'msg-before-restart', inReplyToMeta: meta });
    const removed = await h.fake.waitFor(() => h!.fake.callsOf('reactions.remove')[0]);
    expect(removed.args).toMatchObject({ channel: 'D0CUST', timestamp: '1710000000.000300', name: 'eyes' });
    // a notice is not an answer: nothing removed for it
    await h.channel.deliver.deliver(key, { text: 'FYI', kind: 'notice', inReplyToId: 'msg-2', inReplyToMeta: { ...meta, slackTs: '1710000000.000400' } });
    expect(h.fake.callsOf('reactions.remove')).toHaveLength(1);
  });

  it('two identical free-standing notices are both posted', async () => {
    h = await startHarness();
    const key = `slack:${h.fake.teamId}:D0CUST:1710000000.000200`;
    await h.channel.deliver.deliver(key, { text: 'Your request expired.', kind: 'notice' });
    await h.channel.deliver.deliver(key, { text: 'Your request expired.', kind: 'notice' });
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('refuses thread keys that are not Slack threads of this workspace', async () => {
    h = await startHarness();
    await expect(h.channel.deliver.deliver('email:<x@y>', { text: 'hi', kind: 'reply' })).rejects.toThrow(/Not a Slack thread/);
    await expect(h.channel.deliver.deliver('slack:T0OTHER:C1:1.000001', { text: 'hi', kind: 'reply' })).rejects.toThrow(/Not a Slack thread/);
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(0);
  });
});
