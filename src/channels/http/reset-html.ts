import { escapeHtml } from './security.js';

/** The HTML page the token pages and the dev mailbox share (styles from /static/reset.css); `title` is escaped here, `body` is HTML. */
export const page = (title: string, body: string, wide = false): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Helpline</title>
<link rel="stylesheet" href="/static/reset.css"></head>
<body><main${wide ? ' class="wide"' : ''}><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;

export function resetFormPage(opts: { action: string; csrf: string; email: string; error?: string | undefined }): string {
  const error = opts.error ? `<p class="error" role="alert" id="error">${escapeHtml(opts.error)}</p>` : '';
  return page(
    'Choose a new password',
    `<p>Setting a new password for <strong>${escapeHtml(opts.email)}</strong>.</p>
${error}
<form method="post" action="${escapeHtml(opts.action)}" autocomplete="off">
<input type="hidden" name="csrf" value="${escapeHtml(opts.csrf)}">
<label for="password">New password (at least 12 characters)</label>
<input id="password" name="password" type="password" minlength="12" maxlength="200" required autocomplete="new-password">
<label for="confirm">Repeat the new password</label>
<input id="confirm" name="confirm" type="password" minlength="12" maxlength="200" required autocomplete="new-password">
<button type="submit" id="submit">Set password</button>
</form>`,
  );
}

export function resetDonePage(): string {
  return page('Password changed', '<p id="done">Your password has been changed. You can close this page and sign in with your new password.</p>');
}

export function resetRefusedPage(reason: 'unknown' | 'used' | 'expired' | 'rate_limited' | 'bad_request'): string {
  const text: Record<typeof reason, string> = {
    unknown: 'This password reset link is not valid. Please ask support for a new one.',
    used: 'This password reset link has already been used. If you did not use it, contact support right away.',
    expired: 'This password reset link has expired. Please ask support for a new one.',
    rate_limited: 'Too many attempts. Please wait a few minutes and try again.',
    bad_request: 'The form could not be accepted. Please open the link from your email again.',
  };
  return page('Link not usable', `<p id="refused">${escapeHtml(text[reason])}</p>`);
}

export const RESET_CSS = `body{font-family:system-ui,sans-serif;background:#f6f7f9;margin:0}
main{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.5rem;padding:.6rem 1.2rem}.error{color:#a40000}
main.wide{max-width:60rem}.notice{background:#fff4ce;padding:.6rem;border-radius:4px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f7f9;padding:1rem}dt{font-weight:bold}`;
