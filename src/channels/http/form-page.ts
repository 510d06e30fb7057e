import type { IncomingMessage, ServerResponse } from 'node:http';
import { setSecureHeaders } from './security.js';

/** Pieces the token pages (password reset, address confirmation) share: an HTML answer with the secure headers, and a bounded form body. */
export function sendPage(res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}): void {
  setSecureHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...extra });
  res.end(html);
}

/** The urlencoded form of a POST, or undefined when it is another type or larger than `maxBytes`. */
export async function readForm(req: IncomingMessage, maxBytes: number): Promise<URLSearchParams | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
