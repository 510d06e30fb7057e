/** Setup of the `postgres` vitest project: each test's repositories are closed after it, the server after the file. */
import { afterAll, afterEach, beforeEach } from 'vitest';
import { closeTestRepos, markTest, stopTestServer } from './test-engine.js';

beforeEach(markTest);
afterEach(closeTestRepos);
afterAll(stopTestServer, 60_000);
