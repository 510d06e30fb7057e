import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { silentLogger } from '../../src/config/logger.js';
import { openRepositories } from '../../src/store/open.js';
import { dbSchema } from '../../src/store/schema.js';
import { KB_DIR, fixtureDb } from './fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const STDIO = join(ROOT, 'src/mcp/stdio.ts');
const SEED = join(ROOT, 'data/seed.json');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'helpline-mcp-stdio-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function env(extra: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return { ...base, LOG_LEVEL: 'info', ...extra };
}

async function connect(command: string, args: string[], extraEnv: Record<string, string>, cwd = ROOT) {
  const transport = new StdioClientTransport({ command, args, cwd, env: env(extraEnv), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const client = new Client({ name: 'stdio-test', version: '1' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

type Balances = { balances: Array<{ accountId: string; balanceMinor: number }> };

/** Reads a data file back through the repositories (the engine the entry point used), then closes it. */
async function readBack<T>(dataFile: string, read: (repos: Awaited<ReturnType<typeof openRepositories>>['repos']) => Promise<T>): Promise<T> {
  const { repos } = await openRepositories({ dataFile, log: silentLogger() });
  try {
    return await read(repos);
  } finally {
    await repos.close();
  }
}
/** The SDK's result type is a wide union; the tests read it as the shape each tool documents. */
const as = <T>(r: unknown): T => r as T;

describe('stdio entry', () => {
  it('serves a customer\'s tools from a data file created from the seed, and persists changes', async () => {
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(fixtureDb()));
    const dataFile = join(dir, 'db.json');
    const { client, stderr } = await connect(TSX, [STDIO, '--customer', 'cus_001', '--data', dataFile], { SEED_FILE: seedFile, KB_DIR });

    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('get_account_balance');
    expect(names).not.toContain('decide_approval');

    const r = as<{ structuredContent: Balances }>(await client.callTool({ name: 'get_account_balance', arguments: {} }));
    const expected = fixtureDb().accounts.filter((a) => a.customerId === 'cus_001').map((a) => [a.id, a.balanceMinor]).sort();
    expect(r.structuredContent.balances.map((b) => [b.accountId, b.balanceMinor]).sort()).toEqual(expected);

    const bad = (await client.callTool({ name: 'get_account_balance', arguments: JSON.parse('{"__proto__":{"customerId":"cus_002"}}') })) as { isError?: boolean };
    expect(bad.isError).toBe(true);

    const moved = (await client.callTool({ name: 'update_address', arguments: { line1: '5 Stdio Lane', city: 'Pipe Town', postalCode: '12345', country: 'GB' } })) as { isError?: boolean; structuredContent?: { status?: string; changeId?: string } };
    expect(moved.isError).toBeFalsy();
    expect(moved.structuredContent?.status).toBe('pending_confirmation');
    await client.close();

    // the process exited cleanly: lock released, the requested change is stored (pending: only the customer confirms it), the seed untouched
    expect(existsSync(`${dataFile}.lock`)).toBe(false);
    const changeId = moved.structuredContent?.changeId ?? '';
    const stored = await readBack(dataFile, async (repos) => ({ change: await repos.addressChanges.get(changeId), customer: await repos.customers.get('cus_001') }));
    expect([stored.change?.customerId, stored.change?.address.line1, stored.change?.status]).toEqual(['cus_001', '5 Stdio Lane', 'pending']);
    expect(stored.customer?.address).toEqual(fixtureDb().customers.find((c) => c.id === 'cus_001')?.address);
    expect(JSON.parse(readFileSync(seedFile, 'utf8'))).toEqual(fixtureDb());
    expect(stderr()).toContain('mcp stdio server ready');
  });

  it('--staff trusts that id as staff for the process (started from another folder, relative --data)', async () => {
    writeFileSync(join(dir, 'db.json'), JSON.stringify(fixtureDb()));
    const { client } = await connect(TSX, [STDIO, '--staff', 'U_LOCAL_ADMIN', '--data', 'db.json'], { KB_DIR, SLACK_STAFF_USER_IDS: '' }, dir);
    const r = as<{ isError?: boolean; structuredContent: { customers: Array<{ id: string }> } }>(await client.callTool({ name: 'find_customer', arguments: { query: 'alice' } }));
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent.customers.map((c) => c.id)).toEqual(['cus_001']);
    // Approval decisions belong to people: an attached model-driven client neither sees nor can call them.
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('list_pending_approvals');
    expect(names).not.toContain('decide_approval');
    const decide = as<{ isError?: boolean; content: Array<{ text: string }> }>(await client.callTool({ name: 'decide_approval', arguments: { approvalId: 'apr_1', decision: 'approve' } }));
    expect(decide.isError).toBe(true);
    expect(decide.content[0]?.text).toMatch(/not found|unknown/i);
    await client.close();
    expect(existsSync(join(dir, 'db.json.bak'))).toBe(true);
  });

  it('refuses an unknown customer with a clear message on stderr and a non-zero exit', () => {
    const dataFile = join(dir, 'db.json');
    writeFileSync(dataFile, JSON.stringify(fixtureDb()));
    const run = spawnSync(TSX, [STDIO, '--customer', 'cus_nobody', '--data', dataFile], { cwd: ROOT, env: env({ KB_DIR }), encoding: 'utf8', input: '' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('No customer cus_nobody');
    expect(run.stdout).toBe('');
    expect(existsSync(`${dataFile}.lock`)).toBe(false);
  });

  it('SIGTERM closes the store (lock released) and ends the process', async () => {
    const dataFile = join(dir, 'db.json');
    writeFileSync(dataFile, JSON.stringify(fixtureDb()));
    const child = spawn(process.execPath, ['--import', 'tsx', STDIO, '--customer', 'cus_001', '--data', dataFile], { cwd: ROOT, env: env({ KB_DIR }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    await new Promise<void>((res, rej) => {
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); if (stderr.includes('mcp stdio server ready')) res(); });
      child.once('exit', () => rej(new Error(`exited early: ${stderr}`)));
    });
    expect(existsSync(`${dataFile}.lock`)).toBe(true);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    expect(existsSync(`${dataFile}.lock`)).toBe(false);
    expect(stderr).toContain('store closed');
  });

  it.skipIf(!existsSync(SEED))('`npm run --silent mcp -- --customer cus_001 --data <copy of data/seed.json>` answers get_account_balance', async () => {
    const dataFile = join(dir, 'db.json');
    copyFileSync(SEED, dataFile);
    const seed = dbSchema.parse(JSON.parse(readFileSync(SEED, 'utf8')));
    const { client } = await connect('npm', ['run', '--silent', 'mcp', '--', '--customer', 'cus_001', '--data', dataFile], {});
    const r = as<{ structuredContent: Balances }>(await client.callTool({ name: 'get_account_balance', arguments: {} }));
    const expected = seed.accounts.filter((a) => a.customerId === 'cus_001').map((a) => [a.id, a.balanceMinor]).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(r.structuredContent.balances.map((b) => [b.accountId, b.balanceMinor]).sort()).toEqual(expected);
    await client.close();
  });
});
