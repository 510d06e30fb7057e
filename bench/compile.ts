/**
 * Compiles the project (src + bench, and what they import) to plain JavaScript under `.tmp/`, as `npm start`
 * runs production from tsc's output rather than through tsx. Benchmarks that judge the production process spawn
 * their child from the build. Each call builds into its own directory (benchmarks and the soak may compile at the
 * same time in a test run); `dispose()` removes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
  // What the compiled code reads at run time (SQL migrations, the chat widget) sits beside it, as `npm run build` puts it into dist.
  execFileSync(process.execPath, [resolve(root, 'scripts/copy-assets.mjs'), resolve(root, 'src'), resolve(dir, 'src')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return {
    path: (sourcePath) => resolve(dir, sourcePath.replace(/\.ts$/, '.js')),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
