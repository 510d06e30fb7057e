import { parseArgs } from 'node:util';
import { AppError } from '../errors.js';
import type { Caller } from '../support/caller.js';

export interface StdioArgs {
  caller: Caller;
  /** Database file; undefined → config DATA_FILE. */
  dataFile: string | undefined;
  help: boolean;
}

export const STDIO_USAGE = `Usage: npm run mcp -- [--customer <id> | --staff <id>] [--data <db.json>]

Serves the Helpline MCP tools over stdio (for MCP Inspector, Claude Desktop, ...).
  --customer <id>  act as this customer (customer tools)
  --staff <id>     act as this staff member (staff tools); trusted as staff for this process
  (neither)        anonymous caller: knowledge base search and ticket creation only
  --data <file>    database file (default: DATA_FILE, created from SEED_FILE if missing)
Relative paths in the environment / .env are resolved against the project folder.
Logs go to stderr; stdout carries the protocol (use \`npm run --silent mcp\` so npm prints no banner).`;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/;

/** Parse the stdio entry's command line (throws AppError('bad_input') with a usage hint). */
export function parseStdioArgs(argv: readonly string[]): StdioArgs {
  let values: { customer?: string | undefined; staff?: string | undefined; data?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { customer: { type: 'string' }, staff: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new AppError('bad_input', `${(err as Error).message}\n\n${STDIO_USAGE}`);
  }
  if (values.customer !== undefined && values.staff !== undefined) {
    throw new AppError('bad_input', `Give --customer or --staff, not both.\n\n${STDIO_USAGE}`);
  }
  for (const [flag, v] of [['--customer', values.customer], ['--staff', values.staff]] as const) {
    if (v !== undefined && !ID.test(v)) throw new AppError('bad_input', `${flag} needs an id like cus_001 or U123, got "${v.slice(0, 40)}"`);
  }
  if (values.data !== undefined && values.data.trim() === '') throw new AppError('bad_input', '--data needs a file path');
  const caller: Caller =
    values.customer !== undefined ? { kind: 'customer', customerId: values.customer }
    : values.staff !== undefined ? { kind: 'staff', staffId: values.staff }
    : { kind: 'anonymous' };
  return { caller, dataFile: values.data, help: values.help === true };
}
