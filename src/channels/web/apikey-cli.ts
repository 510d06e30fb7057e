import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../config/logger.js';
import { isAppError } from '../../errors.js';
import type { Repositories } from '../../store/repos/index.js';
import { apiKeyScopeSchema, type ApiKeyScope } from '../../store/schema.js';
import { createApiKeys } from './api-keys.js';

/**
 * `npm run apikey -- create --name NAME --scope SCOPE [--scope SCOPE…]`: prints the new key once (stdout, alone on
 * its line, for scripts) and what it may do (stderr). `list`: every key (never a secret). `revoke <id>`.
 * The store is the configured one (DATABASE_URL, else DATA_FILE). Exit codes: 0 done, 1 anything else.
 */
const SCOPES = apiKeyScopeSchema.options;
const USAGE = `usage: npm run apikey -- create --name NAME --scope SCOPE [--scope SCOPE…]   (scopes: ${SCOPES.join(', ')})
       npm run apikey -- list
       npm run apikey -- revoke <key id>`;

export interface ApiKeyCliIo {
  out(text: string): void;
  err(text: string): void;
}

export async function runApiKeyCli(argv: string[], repos: Pick<Repositories, 'apiKeys'>, clock: () => Date, io: ApiKeyCliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: { name: { type: 'string' }; scope: { type: 'string'; multiple: true } } }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { name: { type: 'string' }, scope: { type: 'string', multiple: true } } });
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [command, arg, ...rest] = positionals;
  const keys = createApiKeys({ apiKeys: repos.apiKeys, clock });
  try {
    if (command === 'create' && arg === undefined && values.name) {
      const scopes = values.scope ?? [];
      const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (scopes.length === 0 || bad.length > 0) {
        io.err(`${bad.length ? `Unknown scope ${bad.join(', ')}` : 'At least one --scope is needed'}.\n${USAGE}`);
        return 1;
      }
      const { key, record } = await keys.create(values.name, scopes as ApiKeyScope[]);
      io.err(`Created API key ${record.id} "${record.name}" (${record.scopes.join(', ')}). Store it now: it is not shown again.`);
      io.out(key);
      return 0;
    }
    if (command === 'list' && arg === undefined) {
      const all = await keys.list();
      io.out(all.length === 0 ? 'No API keys.' : all.map((k) => `${k.id}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  ${k.createdAt}  ${k.scopes.join(',')}  ${k.name}`).join('\n'));
      return 0;
    }
    if (command === 'revoke' && arg !== undefined && rest.length === 0) {
      const k = await keys.revoke(arg);
      io.out(`API key ${k.id} "${k.name}" revoked (${k.revokedAt}).`);
      return 0;
    }
    io.err(USAGE);
    return 1;
  } catch (err) {
    io.err(`apikey ${command} failed (${isAppError(err) ? err.code : 'internal'}): ${(err as Error).message}`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { openRepositories } = await import('../../store/open.js');
  const config = loadConfig();
  const log = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', name: 'helpline-apikey' });
  const { repos } = await openRepositories({ databaseUrl: config.databaseUrl, dataFile: config.dataFile, seedFile: config.seedFile, log });
  const io: ApiKeyCliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
  try {
    process.exitCode = await runApiKeyCli(process.argv.slice(2), repos, () => new Date(), io);
  } finally {
    await repos.close();
  }
}
