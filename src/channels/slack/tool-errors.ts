/**
 * Tool failures as plain sentences. Validation issues (from the MCP SDK's `Input validation error … at subject`
 * or our tools' `subject: Too big: …`) become one sentence per field; anything that still looks like protocol
 * output, a schema dump or a stack trace is replaced by a sentence for its error code.
 */
import type { ErrorCode } from '../../errors.js';

export interface Issue { path: string; message: string }

const ZOD_WORDS = /^(Too big|Too small|Invalid|Required|Unrecognized key|Expected|expected|must |String must|Number must|a valid|a ticket id|an ISO|not a real date|Input not instance)/;

/** Validation issues in a tool's error text; empty when the text is not a list of issues. */
export function parseIssues(text: string): Issue[] {
  const sdk = /Invalid arguments for tool \S+?:\s*([\s\S]*)$/.exec(text);
  if (sdk) {
    return (sdk[1] as string).split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
      const m = /^([\s\S]*?)\s+at\s+([\w.[\]-]+)$/.exec(line);
      return m ? { path: m[2] as string, message: m[1] as string } : { path: '', message: line };
    });
  }
  const parts = text.split(/;\s+/).map((p) => p.trim()).filter(Boolean);
  const issues = parts.map((p) => /^([A-Za-z_][\w.[\]-]*): ([\s\S]+)$/.exec(p)).map((m) => (m ? { path: m[1] as string, message: m[2] as string } : undefined));
  return issues.length > 0 && issues.every((i) => i && ZOD_WORDS.test(i.message)) ? (issues as Issue[]) : [];
}

const LABELS: Record<string, string> = {
  subject: 'subject', description: 'description', contact: 'email address', customerId: 'customer', ticketId: 'ticket number',
  message: 'message', note: 'note', priority: 'priority', status: 'status', approvalId: 'request', query: 'search text',
};

function label(path: string): string {
  const key = path.split('.')[0] ?? '';
  return LABELS[key] ?? (key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase() || 'input');
}

function sentence(issue: Issue): string {
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
export function describeIssues(issues: Issue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues.slice(0, 10)) {
    const key = issue.path.split('.')[0] || 'input';
    out[key] ??= sentence(issue);
  }
  return out;
}

/** Text that is not for people: protocol errors, schema dumps, stack traces, JSON. */
export function looksRaw(text: string): boolean {
  return /MCP error|-326\d\d|Input validation error|ZodError|invalid_type|\n\s+at \S|^\s*at \S+ \(|^\s*[[{]|\bError:|expected (string|number|object|array)|Too (big|small):/.test(text);
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
