/**
 * At LOG_LEVEL=debug the Slack channel (our lines and Bolt's, the Web API client's and the socket client's) logs
 * what happened, never what was said: a whole conversation is run and the captured log is searched for message
 * text, reply text, profile emails and tokens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postEvent } from '../../helpers/slack-sign.js';
import { captureLogger, dm, SECRET } from './harness.js';
import { startRealStack, type RealStack } from './real-stack.js';

let s: RealStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const SAID = 'XYZZY-secret-words-771';
const EMAIL = 'new.person@mail.example';

describe('Slack logs at debug level', () => {
  it.each(['http', 'socket'] as const)('%s mode: no message text, reply text, email or token in any line', async (mode) => {
    const cap = captureLogger('debug');
    s = await startRealStack({
      slackLog: cap.log,
      config: mode === 'socket' ? { mode: 'socket', appToken: 'xapp-test-token', signingSecret: undefined, port: undefined } : {},
    });
    const st = s;
    st.fake.users.set('UNEW', { id: 'UNEW', is_email_confirmed: true, real_name: 'New Person', profile: { email: EMAIL, display_name: 'newbie' } });
    const deliver = async (body: ReturnType<typeof dm>) => {
      if (mode === 'http') expect((await postEvent(st.url, SECRET, body)).status).toBe(200);
      else await st.fake.sendEnvelope({ type: 'events_api', payload: body });
    };
    await deliver(dm(st.fake, { text: `my balance please ${SAID}` }));
    await deliver(dm(st.fake, { user: 'UNEW', channel: 'D0NEW', text: `hello from a new person ${SAID}` }));
    const replies = await st.fake.waitFor(() => {
      const p = st.fake.callsOf('chat.postMessage').filter((c) => String(c.args['text']).includes(SAID));
      return p.length === 2 && p;
    }, 10_000);
    expect(st.fake.callsOf('users.info').length).toBeGreaterThan(0);
    await st.conversations.drain();
    await st.channel.idle();

    const log = cap.lines.join('');
    expect(cap.records().filter((r) => r['level'] === 20).length).toBeGreaterThan(5); // debug really was on
    expect(log).toContain("apiCall('chat.postMessage')");
    for (const forbidden of [SAID, EMAIL, 'ada@example.com', 'xoxb-test', 'xapp-test-token', String(replies[0]?.args['text']).slice(0, 40)]) {
      expect(log).not.toContain(forbidden);
    }
  });
});
