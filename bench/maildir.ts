/**
 * Local delivery into the Dovecot test server's INBOX maildir the way a delivery agent does it: write under
 * `tmp/`, chown to the mail user, then rename into `new/`. (Writing straight into `new/` races with a live IMAP
 * session, which may move the file to `cur/` before it is chowned.)
 */
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dovecot } from '../test/helpers/dovecot.js';

const MAIL_UID = 65534;

export function deliverToInbox(d: Dovecot, raw: string): void {
  const root = join(d.dir, 'mail', d.user);
  for (const sub of ['', 'new', 'cur', 'tmp']) {
    const p = join(root, sub);
    if (!existsSync(p)) {
      mkdirSync(p, { recursive: true });
      chownSync(p, MAIL_UID, MAIL_UID);
    }
  }
  const name = `${Date.now()}.M${randomBytes(6).toString('hex')}P${process.pid}.helpline-bench`;
  const tmp = join(root, 'tmp', name);
  writeFileSync(tmp, raw);
  chownSync(tmp, MAIL_UID, MAIL_UID);
  renameSync(tmp, join(root, 'new', name));
}
