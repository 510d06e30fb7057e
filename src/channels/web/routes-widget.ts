import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { demoRoutes, type DemoSignIn } from './widget-demo.js';

/** The widget's files, next to this module in src/ and copied beside it into dist/ by `npm run build`. */
const asset = (name: string) => readFileSync(new URL(`./widget/${name}`, import.meta.url), 'utf8');

interface Asset { body: string; type: string; etag: string }
const load = (name: string, type: string): Asset => {
  const body = asset(name);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
};

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#1f4ed8" d="M4 6h24v16H12l-6 5v-5H4z"/></svg>';

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
export function widgetRoutes(app: FastifyInstance, demo: DemoSignIn | undefined): void {
  app.get('/widget.js', serve(load('widget.js', 'text/javascript; charset=utf-8')));
  app.get('/widget.css', serve(load('widget.css', 'text/css; charset=utf-8')));
  app.get('/favicon.svg', serve({ body: ICON, type: 'image/svg+xml', etag: '"hl-icon-1"' }));
  demoRoutes(app, demo);
}
