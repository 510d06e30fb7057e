import type { IncomingMessage, ServerResponse } from 'node:http';
import { devMailboxListPage, devMailMissingPage, devMailPage, type DevMailView } from './dev-mailbox-html.js';
import { sendPage } from './form-page.js';

/** The slice of the dev mailbox the pages read (the email channel's createDevMailbox). */
export interface DevMailboxPort {
  list(limit: number): Promise<DevMailView[]>;
  get(id: string): Promise<DevMailView | undefined>;
}

/** Most messages listed. */
const LIST_LIMIT = 200;
const ID_RE = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * GET /dev/mailbox (newest first) and GET /dev/mailbox/<id> (one message, its links clickable). Wired only when the
 * dev mailbox is on (no SMTP configured, not production): otherwise these paths are 404 like any unknown one.
 * Same headers as the token pages (no caching, no referrer, no framing, a strict CSP): the bodies carry one-time links.
 */
export function createDevMailboxPage(mailbox: DevMailboxPort) {
  return async function handle(req: IncomingMessage, res: ServerResponse, id: string | undefined): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendPage(res, 405, devMailMissingPage(), { Allow: 'GET, HEAD' });
    if (id === undefined) return sendPage(res, 200, devMailboxListPage(await mailbox.list(LIST_LIMIT)));
    const mail = ID_RE.test(id) ? await mailbox.get(id) : undefined;
    return mail ? sendPage(res, 200, devMailPage(mail)) : sendPage(res, 404, devMailMissingPage());
  };
}
