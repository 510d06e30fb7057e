/** Signs requests the way Slack does: `v0=` + HMAC-SHA256(signing secret, `v0:<timestamp>:<raw body>`). */
import { createHmac } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(secret, timestamp, body) };
}

export interface PostOptions {
  /** Defaults to a correct signature for now. */
  headers?: Record<string, string>;
  timestamp?: number;
  retryNum?: number;
  /** Skip the signature headers entirely. */
  unsigned?: boolean;
}

/** POSTs a JSON event body (Events API) to a Bolt HTTP receiver. */
export async function postEvent(url: string, secret: string, payload: unknown, o: PostOptions = {}): Promise<Response> {
  return postRaw(url, secret, JSON.stringify(payload), 'application/json', o);
}

/** POSTs a form body (slash commands: fields; interactivity: `payload=<json>`). */
export async function postForm(url: string, secret: string, fields: Record<string, string>, o: PostOptions = {}): Promise<Response> {
  return postRaw(url, secret, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', o);
}

export async function postRaw(url: string, secret: string, body: string, contentType: string, o: PostOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (!o.unsigned) Object.assign(headers, signedHeaders(secret, body, o.timestamp));
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(o.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  Object.assign(headers, o.headers ?? {});
  return fetch(url, { method: 'POST', headers, body });
}
