/**
 * Compiles the project (src + bench, and what they import) to plain JavaScript under `.tmp/`, as `npm start`
 * runs production from tsc's output rather than through tsx. Benchmarks that judge the production process spawn
 * their child from the build. Each call builds into its own directory (benchmarks and the soak may compile at the
 * same time in a test run); `dispose()` removes it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ProjectBuild {
  /** The compiled file of a source path, e.g. `bench/memory-child.ts` → `.tmp/build-…/bench/memory-child.js`. */
  path(sourcePath: string): string;
  dispose(): void;
}

export function compileProject(root = resolve('.')): ProjectBuild {
  const name = `build-${process.pid}-${Date.now().toString(36)}`;
  const dir = resolve(root, '.tmp', name);
  mkdirSync(dir, { recursive: true });
  const config = resolve(dir, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: { noEmit: false, rootDir: '../..', outDir: '.' },
    include: ['../../src', '../../bench'],
  }));
  try {
    execFileSync(resolve(root, 'node_modules/.bin/tsc'), ['-p', config], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // The SQL migrations sit next to the compiled engine, as `npm run build` copies them into dist.
  cpSync(resolve(root, 'src/store/postgres/migrations'), resolve(dir, 'src/store/postgres/migrations'), { recursive: true });
  return {
    path: (sourcePath) => resolve(dir, sourcePath.replace(/\.ts$/, '.js')),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
