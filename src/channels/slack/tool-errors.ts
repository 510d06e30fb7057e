/**
 * Tool failures as plain sentences: refused fields (an AppError's typed issues) become one sentence per field; a
 * code without a sentence of its own gets one for its code.
 */
import type { ErrorCode, FieldIssue } from '../../errors.js';

const LABELS: Record<string, string> = {
  subject: 'subject', description: 'description', contact: 'email address', customerId: 'customer', ticketId: 'ticket number',
  message: 'message', note: 'note', priority: 'priority', status: 'status', approvalId: 'request', query: 'search text',
};

function label(path: string): string {
  const key = path.split('.')[0] ?? '';
  return LABELS[key] ?? (key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase() || 'input');
}

function sentence(issue: FieldIssue): string {
  const what = `The ${label(issue.path)}`;
  const m = issue.message;
  const most = /<=\s*(\d+)|at most (\d+)/.exec(m);
  const least = />=\s*(\d+)|at least (\d+)/.exec(m);
  if (/^Too big/i.test(m) && most) return `${what} is too long (at most ${most[1] ?? most[2]} characters).`;
  if (/^Too big/i.test(m)) return `${what} is too long.`;
  if (/^Too small/i.test(m) && least && Number(least[1] ?? least[2]) <= 1) return `${what} is empty.`;
  if (/^Too small/i.test(m)) return `${what} is too short.`;
  if (/blank|Required|received undefined/i.test(m)) return `${what} is missing.`;
  if (/email/i.test(m)) return `Enter a valid ${label(issue.path)}.`;
  if (/option|one of|enum/i.test(m)) return `${what} is not one of the allowed choices.`;
  if (/Unrecognized key/i.test(m)) return 'The request had a field that is not allowed.';
  return `${what} was not accepted.`;
}

/** One plain sentence per refused field (keyed by the field's name, e.g. `subject`). */
export function describeIssues(issues: readonly FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues.slice(0, 10)) {
    const key = issue.path.split('.')[0] || 'input';
    out[key] ??= sentence(issue);
  }
  return out;
}

const PLAIN: Partial<Record<ErrorCode, string>> = {
  bad_input: 'Some of the details were not accepted. Please check them and try again.',
  not_found: 'That could not be found.',
  forbidden: 'You are not allowed to do that.',
  already_decided: 'This was already decided.',
  expired: 'This has expired.',
  conflict: 'That changed in the meantime. Please try again.',
  invalid_transition: 'That change is not possible from the current state.',
  rate_limited: 'Too many requests just now. Please try again in a minute.',
  unavailable: 'Helpline cannot do that right now. Please try again in a few minutes.',
  timeout: 'That took too long. Please try again.',
};

/** The sentence shown for an error code when the tool's own words cannot be shown. */
export function plainFor(code: ErrorCode): string {
  return PLAIN[code] ?? 'Something went wrong on our side. Please try again, or open a ticket so a person follows up.';
}
