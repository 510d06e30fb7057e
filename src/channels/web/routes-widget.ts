import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The widget's files, next to this module in src/ and copied beside it into dist/ by `npm run build`. */
const asset = (name: string) => readFileSync(new URL(`./widget/${name}`, import.meta.url), 'utf8');

interface Asset { body: string; type: string; etag: string }
const load = (name: string, type: string): Asset => {
  const body = asset(name);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
};

/** The demo page: the widget on an otherwise empty page, opened (it chats as an anonymous visitor). */
const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Helpline chat demo</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<main>
<h1>Helpline chat demo</h1>
<p>The chat widget as a company embeds it: one script tag. Here it chats as an anonymous visitor (help articles, and a
ticket with your contact address); on a company's site it chats as the signed-in customer.</p>
<p><code>&lt;script src="/widget.js" data-token-url="/your/token/endpoint" async&gt;&lt;/script&gt;</code></p>
</main>
<script src="/widget.js" data-open="true" data-title="Support (demo)" async></script>
</body>
</html>
`;

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#1f4ed8" d="M4 6h24v16H12l-6 5v-5H4z"/></svg>';

/** Headers for the demo page: no framing, scripts, styles and connections only from this server. */
function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache')
    .header('X-Content-Type-Options', 'nosniff').header('X-Frame-Options', 'DENY').header('Referrer-Policy', 'no-referrer')
    .header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
}

function serve(a: Asset) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    // Any page may load these (a script tag and a stylesheet need no CORS); revalidated every 5 minutes.
    reply.header('Cache-Control', 'public, max-age=300').header('ETag', a.etag).header('X-Content-Type-Options', 'nosniff')
      .header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.type).send(a.body);
  };
}

/** GET /widget.js and /widget.css (the embeddable chat widget), GET /chat (its demo page) and its icon. */
export function widgetRoutes(app: FastifyInstance): void {
  app.get('/widget.js', serve(load('widget.js', 'text/javascript; charset=utf-8')));
  app.get('/widget.css', serve(load('widget.css', 'text/css; charset=utf-8')));
  app.get('/favicon.svg', serve({ body: ICON, type: 'image/svg+xml', etag: '"hl-icon-1"' }));
  app.get('/chat', async (_request, reply) => pageHeaders(reply).send(CHAT_PAGE));
}
