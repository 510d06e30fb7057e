import { escapeHtml } from './security.js';

/** The new address as the confirmation page shows it (only what the customer asked for; nothing else from the account). */
export interface AddressShown { line1: string; line2?: string | undefined; city: string; region?: string | undefined; postalCode: string; country: string }

export type AddressRefusal = 'unknown' | 'used' | 'expired' | 'superseded' | 'rate_limited' | 'bad_request';

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Helpline</title>
<link rel="stylesheet" href="/static/reset.css"></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;

function lines(a: AddressShown): string {
  return [a.line1, a.line2, `${a.postalCode} ${a.city}`, a.region, a.country]
    .filter((l): l is string => Boolean(l))
    .map(escapeHtml)
    .join('<br>');
}

export function addressFormPage(opts: { action: string; csrf: string; address: AddressShown }): string {
  return page(
    'Confirm your new address',
    `<p>Someone asked to change the postal address on your account to:</p>
<address id="new-address">${lines(opts.address)}</address>
<p>Nothing changes until you confirm. If you did not ask for this, close this page and contact support.</p>
<form method="post" action="${escapeHtml(opts.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(opts.csrf)}">
<button type="submit" id="confirm">Confirm the new address</button>
</form>`,
  );
}

export function addressDonePage(address: AddressShown): string {
  return page('Address changed', `<p id="done">The postal address on your account is now:</p>\n<address>${lines(address)}</address>\n<p>You can close this page.</p>`);
}

export function addressRefusedPage(reason: AddressRefusal): string {
  const text: Record<AddressRefusal, string> = {
    unknown: 'This address confirmation link is not valid. Your address was not changed.',
    used: 'This address change has already been confirmed. If you did not confirm it, contact support right away.',
    expired: 'This address confirmation link has expired and your address was not changed. Please ask for the change again.',
    superseded: 'A newer address change was requested after this one, so this link no longer works. Use the link in the newest email.',
    rate_limited: 'Too many attempts. Please wait a few minutes and try again.',
    bad_request: 'The form could not be accepted. Please open the link from your email again.',
  };
  return page('Link not usable', `<p id="refused">${escapeHtml(text[reason])}</p>`);
}
