import { describe, expect, it } from 'vitest';
import { createConversations } from '../../src/conversations/conversations.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { CARD_PLACEHOLDER, PASSWORD_PLACEHOLDER, TOKEN_PLACEHOLDER } from '../../src/conversations/redact.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import type { InboundMessage } from '../../src/conversations/types.js';
import { capturingLogger, convConfig, fakeAgent, fakeConnect, msg, recordingDelivery } from './fakes.js';
import { reposFor } from '../helpers/test-engine.js';

async function harness() {
  const repos = await reposFor();
  const transcripts = createTranscripts({ repos });
  const { agent, state } = fakeAgent({ transcripts });
  const slack = recordingDelivery();
  const email = recordingDelivery();
  const { log, lines } = capturingLogger();
  const conv = createConversations({ repos, agent, connectTools: fakeConnect(), channels: channelPorts({ slack, email }), config: convConfig(), log, sweepEveryMs: 0 });
  const threads = new Set<string>();
  /** Ledger entries as stored right after each message was accepted (while they carry the queued message). */
  const accepted: unknown[] = [];
  const handle = async (m: InboundMessage) => {
    threads.add(m.threadKey);
    const r = await conv.handle(m);
    accepted.push(await repos.ledger.get(m.id));
    return r;
  };
  /** Every place a secret could end up: what the model saw, the stored data, the logs, and what was sent back. */
  const haystacks = async () => ({
    agent: JSON.stringify(state.calls.map((c) => c.text)),
    ledger: JSON.stringify(accepted),
    conversations: JSON.stringify(await Promise.all([...threads].map((k) => repos.conversations.get(k)))),
    logs: lines.join(''),
    replies: JSON.stringify([...slack.sent, ...email.sent]),
  });
  return { conv, handle, state, slack, email, lines, haystacks, accepted };
}

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7Vq3nPz8wQ1r2Jp5Xb9oK4mLcT0aYdHfGsWjEuNiRvBk6Zt\n-----END RSA PRIVATE KEY-----';

describe('redaction in conversations', () => {
  it('keeps passwords and card numbers out of the agent, the transcript, the ledger and the logs; warns once', async () => {
    const h = await harness();
    await h.conv.start();
    const key = 'slack:T:C:secret';
    await h.handle(msg(key, 'my password is Sup3rS3cret! and my card 4111 1111 1111 1111 is lost'));
    await h.handle(msg(key, 'pw: An0therOne'));
    await h.conv.drain();

    const secrets = ['Sup3rS3cret!', '4111 1111 1111 1111', '4111111111111111', 'An0therOne'];
    for (const [where, text] of Object.entries(await h.haystacks())) {
      for (const s of secrets) expect(text.includes(s), `${s} in ${where}`).toBe(false);
    }
    expect(h.state.calls[0]?.text).toBe(`my password is ${PASSWORD_PLACEHOLDER} and my card ${CARD_PLACEHOLDER} is lost`);
    expect(JSON.stringify(h.accepted)).toContain(PASSWORD_PLACEHOLDER); // the haystack held the queued messages
    expect(h.lines.length).toBeGreaterThan(0);
    const notices = h.slack.sent.filter((s) => s.reply.kind === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.reply.text).toMatch(/removed a card number and a password/);
    expect(notices[0]?.reply.text).toMatch(/never send passwords or full card numbers/);
    expect(h.slack.sent.map((s) => s.reply.kind)).toEqual(['notice', 'reply', 'reply']);
  });

  it('removes pasted tokens, keys, security and one-time codes on every channel and names each in one warning per thread', async () => {
    const h = await harness();
    await h.conv.start();
    const slackKey = 'slack:T:C:paste';
    const emailKey = 'email:thread-1';
    const slackToken = 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
    const ghToken = 'ghp_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uV1wX2y';
    await h.handle(msg(slackKey, `our bot stopped: ${slackToken} and cvv 123, OTP: 482913\n${PEM}`));
    await h.handle(msg(slackKey, `also ${ghToken}`));
    await h.handle(msg(emailKey, `Hi, my card ４１１１－１１１１－１１１１－１１１１ and the key is AKIAIOSFODNN7EXAMPLE`, { channel: 'email' }));
    await h.conv.drain();

    const secrets = [slackToken, ghToken, 'AKIAIOSFODNN7EXAMPLE', 'MIIEowIBAAKCAQEAx7Vq3nPz8wQ1r2Jp5Xb9oK4mLcT0aYdHfGsWjEuNiRvBk6Zt', '482913', 'cvv 123', '４１１１－１１１１'];
    for (const [where, text] of Object.entries(await h.haystacks())) {
      for (const s of secrets) expect(text.includes(s), `${s} in ${where}`).toBe(false);
    }
    expect(h.state.calls.map((c) => c.text)).toContain(`also ${TOKEN_PLACEHOLDER}`);

    const slackNotices = h.slack.sent.filter((s) => s.reply.kind === 'notice').map((s) => s.reply.text);
    expect(slackNotices).toHaveLength(1);
    expect(slackNotices[0]).toMatch(/a card security code, a one-time code, an access token or API key and a private key/);
    expect(slackNotices[0]).toMatch(/revoke it/);
    const emailNotices = h.email.sent.filter((s) => s.reply.kind === 'notice').map((s) => s.reply.text);
    expect(emailNotices).toHaveLength(1);
    expect(emailNotices[0]).toMatch(/removed a card number and an access token or API key from your message/);
  });

  it('sends no warning when nothing was removed', async () => {
    const h = await harness();
    await h.conv.start();
    await h.handle(msg('slack:T:C:plain', 'my password is not working and the code did not arrive; card ending 4242'));
    await h.conv.drain();
    expect(h.slack.sent.map((s) => s.reply.kind)).toEqual(['reply']);
    expect(h.state.calls[0]?.text).toBe('my password is not working and the code did not arrive; card ending 4242');
  });
});
