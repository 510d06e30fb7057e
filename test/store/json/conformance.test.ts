/**
 * The repository conformance suite on the JSON engine, in its three write modes: journal (default), journal
 * folded into the document every ~1.5 KB (folds happen mid-test), and no journal (every commit rewrites the file).
 * After each test, what is durably on disk (document + journal, as the next open would load it) must equal the
 * document the engine writes from its tables on close: the journal reproduces the tables exactly, row order included.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { createJsonRepositories, readJsonStore } from '../../../src/store/json/index.js';
import { runRepositoryConformance } from '../conformance/index.js';

const MODES = [
  { name: 'json file', compactAtBytes: undefined },
  { name: 'json file, frequent folds', compactAtBytes: 1500 },
  { name: 'json file, whole-file rewrites', compactAtBytes: 0 },
];

for (const mode of MODES) {
  runRepositoryConformance(mode.name, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helpline-json-conf-'));
    const file = join(dir, 'db.json');
    const repos = await createJsonRepositories({ file, log: silentLogger(), compactAtBytes: mode.compactAtBytes });
    return {
      repos,
      close: async () => {
        try {
          const durable = await readJsonStore(file);
          await repos.close();
          const written = await readJsonStore(file);
          expect(written.journalRecords).toBe(0);
          expect({ ...durable.doc, journalSeq: 0 }).toEqual({ ...written.doc, journalSeq: 0 });
        } finally {
          await repos.close().catch(() => undefined);
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  });
}
