import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, type Logger } from '../../config/logger.js';
import { isAppError } from '../../errors.js';
import { exportFromPostgres } from './export.js';
import { importIntoPostgres } from './import.js';
import type { TableCount } from './load.js';

/**
 * `npm run db:import -- <file.json> [--database-url URL] [--mailbox NAME]`: copies a JSON store into PostgreSQL.
 * `npm run db:export -- <file.json> [--database-url URL] [--force]`: writes PostgreSQL out as a JSON store.
 * The database is DATABASE_URL (environment or `.env`) unless --database-url is given. Prints the rows per table on
 * stdout, problems on stderr, logs JSON on stderr (LOG_LEVEL). Exit codes: 0 done, 1 anything else.
 */
const USAGE = `usage: npm run db:import -- <file.json> [--database-url URL] [--mailbox NAME]
       npm run db:export -- <file.json> [--database-url URL] [--force]`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** The per-table counts as a small aligned table. */
export function formatCounts(counts: readonly TableCount[]): string {
  const width = Math.max(5, ...counts.map((c) => c.table.length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(width)}  ${b.padStart(8)}  ${c.padStart(8)}`;
  return [line('table', 'file', 'database'), ...counts.map((c) => line(c.table, String(c.file), String(c.database)))].join('\n');
}

/** host:port/database of a connection string, never its user or password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the database';
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { 'database-url': { type: 'string' }, force: { type: 'boolean' }, mailbox: { type: 'string' } },
  });
  const [command, file, ...rest] = positionals;
  if ((command !== 'import' && command !== 'export') || !file || rest.length > 0) throw new Error('expected `import <file.json>` or `export <file.json>`');
  if (command === 'import' && values.force) throw new Error('--force applies to export only');
  if (command === 'export' && values.mailbox !== undefined) throw new Error('--mailbox applies to import only');
  return { command, file, databaseUrl: values['database-url'], force: values.force === true, mailbox: values.mailbox };
}

export async function runTransferCli(argv: string[], env: Record<string, string | undefined>, log: Logger, io: CliOutput): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const databaseUrl = args.databaseUrl?.trim() || env['DATABASE_URL']?.trim();
  if (!databaseUrl) {
    io.err(`No database: set DATABASE_URL (environment or .env) or pass --database-url postgres://user:password@host:5432/db.\n${USAGE}`);
    return 1;
  }
  try {
    if (args.command === 'import') {
      const r = await importIntoPostgres({ source: args.file, databaseUrl, log, mailbox: args.mailbox ?? env['EMAIL_IMAP_MAILBOX'] });
      const kind = r.legacy ? 'old whole-database document' : `document${r.journalRecords ? ` + ${r.journalRecords} journal records` : ''}`;
      io.out(`Imported ${r.source} (${kind}) into ${where(databaseUrl)}:\n${formatCounts(r.tables)}\nNext ticket: T-${r.nextTicket}`);
    } else {
      const r = await exportFromPostgres({ file: args.file, databaseUrl, log, force: args.force });
      io.out(`Exported ${where(databaseUrl)} to ${r.file} (${r.bytes} bytes):\n${formatCounts(r.tables)}\nNext ticket: T-${r.nextTicket}`);
    }
    return 0;
  } catch (err) {
    const code = isAppError(err) ? err.code : 'internal';
    io.err(`db:${args.command} failed (${code}): ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const log = createLogger({ level: process.env['LOG_LEVEL'] ?? 'info', name: 'helpline-transfer' });
  const io: CliOutput = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
  process.exitCode = await runTransferCli(process.argv.slice(2), process.env, log, io);
}
