/** The demo page's sign-in mints tokens with no login: it exists on a developer's machine only. */
import { afterEach, describe, expect, it } from 'vitest';
import { call, startWeb, type WebHarness } from './harness.js';

let h: WebHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the /chat demo sign-in', () => {
  it('on a developer machine (no mail server, not production): a token for a known demo customer only', async () => {
    h = await startWeb();
    const page = await (await fetch(`${h.base}/chat?as=cus_001`)).text();
    expect(page).toContain('data-token-url="/chat/demo-token?as=cus_001"');
    const minted = await call(h.base, 'GET', '/chat/demo-token?as=cus_001');
    expect(minted.status).toBe(200);
    const me = await call(h.base, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${minted.json['token']}` } });
    expect(me.json).toEqual({ caller: { kind: 'customer', customerId: 'cus_001', via: 'token' } });
    expect((await call(h.base, 'GET', '/chat/demo-token?as=cus_404')).status).toBe(404);
    expect((await call(h.base, 'GET', '/chat/demo-token?as=%3Cscript%3E')).status).toBe(404);
    // An unknown or malformed customer is never written into the page.
    const odd = await (await fetch(`${h.base}/chat?as=%22%3E%3Cscript%3Ealert(1)%3C/script%3E`)).text();
    expect(odd).not.toContain('<script>alert');
    expect(odd).not.toContain('/chat/demo-token');
  });

  it.each([
    ['production', { NODE_ENV: 'production', WEB_TOKEN_SECRET: 'a-production-secret-that-is-long-enough-0123' }],
    ['the dev mailbox off', { DEV_MAILBOX: 'off' }],
  ])('with %s: no sign-in form, and the token endpoint does not exist', async (_what, env) => {
    h = await startWeb(env);
    const page = await (await fetch(`${h.base}/chat?as=cus_001`)).text();
    expect(page).not.toContain('/chat/demo-token');
    expect(page).not.toContain('Chat as a demo customer');
    expect((await fetch(`${h.base}/chat/demo-token?as=cus_001`)).status).toBe(404);
  });
});
