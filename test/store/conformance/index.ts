/**
 * The repository conformance suite: the behaviour every engine (memory, JSON file, PostgreSQL) must show through
 * the port in src/store/repos. An engine's test file calls
 *
 *   runRepositoryConformance('postgres', async () => { const repos = await openPg(...); return { repos, close: () => repos.close() }; });
 *
 * `makeEngine` must return a fresh, empty engine for every test (PostgreSQL: a fresh schema or truncated tables).
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { apiKeyTests } from './api-keys.js';
import { approvalTests } from './approvals.js';
import { auditTests } from './audit.js';
import { conversationTests } from './conversations.js';
import { customerTests } from './customers.js';
import { emailTests } from './email.js';
import type { ConformanceEngine, MakeEngine } from './harness.js';
import { leaseTests } from './leases.js';
import { ledgerTests } from './ledger.js';
import { outboxTests } from './outbox.js';
import { ticketTests } from './tickets.js';
import { transactionTests } from './transactions.js';

export type { ConformanceEngine, MakeEngine } from './harness.js';

export function runRepositoryConformance(name: string, makeEngine: MakeEngine): void {
  describe(`repository conformance: ${name}`, () => {
    let engine: ConformanceEngine | undefined;
    beforeEach(async () => {
      engine = await makeEngine();
    });
    afterEach(async () => {
      const e = engine;
      engine = undefined;
      await e?.close();
    });
    const repos = () => {
      if (!engine) throw new Error('no engine: the conformance suite calls repos() only inside a test');
      return engine.repos;
    };

    customerTests(repos);
    ticketTests(repos);
    approvalTests(repos);
    auditTests(repos);
    conversationTests(repos);
    ledgerTests(repos);
    emailTests(repos);
    outboxTests(repos);
    leaseTests(repos);
    transactionTests(repos);
    apiKeyTests(repos);
  });
}
