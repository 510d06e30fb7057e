import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../http/security.js';
import type { WebAuth } from './auth.js';
import { sendError } from './errors.js';
import type { WebTokens } from './tokens.js';

/**
 * The demo page /chat. Anonymous by default. On a developer's machine (the same gate as the dev mailbox: no mail
 * server, not production) it also lets a person chat as one of the demo customers: `/chat?as=cus_001` embeds the
 * widget with `/chat/demo-token?as=cus_001` as its token endpoint, which mints a token for that customer with no
 * login at all. That endpoint does not exist anywhere else (404).
 */
export interface DemoSignIn {
  auth: Pick<WebAuth, 'known'>;
  tokens: WebTokens;
}

const ICON = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">';

function chatPage(as: string | undefined, demo: boolean): string {
  const who = as ? `Support (demo: ${escapeHtml(as)})` : 'Support (demo)';
  const tokenUrl = as ? ` data-token-url="/chat/demo-token?as=${encodeURIComponent(as)}"` : '';
  const signIn = demo
    ? `<form method="get" action="/chat"><label for="as">Chat as a demo customer (developer machine only)</label>
<input id="as" name="as" placeholder="cus_001" pattern="[A-Za-z0-9_\\-]{1,100}" value="${escapeHtml(as ?? '')}">
<button type="submit">Chat as this customer</button> <a href="/chat">or as an anonymous visitor</a></form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpline chat demo</title>
${ICON}
</head>
<body>
<main>
<h1>Helpline chat demo</h1>
<p>The chat widget as a company embeds it: one script tag. ${as ? `Here it chats as the demo customer ${escapeHtml(as)}.` : 'Here it chats as an anonymous visitor (help articles, and a ticket with your contact address); on a company\'s site it chats as the signed-in customer.'}</p>
<p><code>&lt;script src="/widget.js" data-token-url="/your/token/endpoint" async&gt;&lt;/script&gt;</code></p>
${signIn}
</main>
<script src="/widget.js" data-open="true" data-title="${who}"${tokenUrl} async></script>
</body>
</html>
`;
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function demoRoutes(app: FastifyInstance, demo: DemoSignIn | undefined): void {
  app.get('/chat', async (request, reply) => {
    const as = (request.query as Record<string, unknown>)['as'];
    // `known` checks the id's form before it looks the customer up.
    const customer = demo && typeof as === 'string' && (await demo.auth.known(as)) ? as : undefined;
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache')
      .header('X-Content-Type-Options', 'nosniff').header('X-Frame-Options', 'DENY').header('Referrer-Policy', 'no-referrer')
      .header('Content-Security-Policy', CSP).send(chatPage(customer, demo !== undefined));
  });
  if (!demo) return;
  app.get('/chat/demo-token', async (request, reply) => {
    const as = (request.query as Record<string, unknown>)['as'];
    if (typeof as !== 'string' || !(await demo.auth.known(as))) return sendError(reply, 'not_found', 'No such customer.');
    const minted = await demo.tokens.mint(as, 'demo');
    return reply.header('Cache-Control', 'no-store').send({ token: minted.token, expiresAt: minted.expiresAt });
  });
}
