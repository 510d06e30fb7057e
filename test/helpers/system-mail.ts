/**
 * What sends system mail in tests: support's real `systemMail.render` over the test's repositories (it mints a
 * system mail's one-time link as the mail leaves), and `linkInOutbox`, which mints one as a sender would, for tests
 * that use a link without running a sender.
 */
import { fileURLToPath } from 'node:url';
import type { Repositories } from '../../src/store/repos/index.js';
import { createSupport, type Support } from '../../src/support/index.js';

const KB_DIR = fileURLToPath(new URL('../../data/kb', import.meta.url));

export function systemMailRenderer(repos: Repositories, publicBaseUrl = 'https://help.example.com'): Support['systemMail']['render'] {
  return createSupport({ repos, kbDir: KB_DIR, staff: { isStaff: () => false }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl }).systemMail.render;
}

/**
 * The link of the queued system mail `key` (`password-reset:<approval id>`, `address-confirm:<change id>`), minted
 * now by `support` exactly as the outbox worker mints it before handing the mail to SMTP. '' when none was minted.
 */
export async function linkInOutbox(support: Pick<Support, 'systemMail'>, repos: Pick<Repositories, 'outbox'>, key: string): Promise<string> {
  const item = await repos.outbox.findReply(`system:${key}`, key, 'system');
  if (!item) throw new Error(`no system mail ${key} in the outbox`);
  const text = await support.systemMail.render(item.payload);
  return /https?:\/\/\S+\/(?:reset|confirm-address)\/\S+/.exec(text)?.[0] ?? '';
}
