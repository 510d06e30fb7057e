/**
 * The node flags `npm start` runs production with, read from package.json's start script, so a benchmark that
 * judges the production process (memory) runs under exactly those flags and cannot drift from them.
 * `${VAR:-default}` is expanded from the given environment, as the shell would.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function startScript(packageJson = resolve('package.json')): string {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts?: Record<string, string> };
  const start = pkg.scripts?.['start'];
  if (!start) throw new Error(`${packageJson} has no start script`);
  return start;
}

/** The flags between `node` and the entry file of a start script like `node --a=1 --b dist/main.js`. */
export function nodeFlags(script: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const words = script.trim().split(/\s+/);
  const at = words.indexOf('node');
  if (at < 0) throw new Error(`start script does not run node: ${script}`);
  const flags: string[] = [];
  for (const word of words.slice(at + 1)) {
    if (!word.startsWith('-')) break;
    flags.push(word.replace(/\$\{(\w+):-([^}]*)\}/g, (_m, name: string, dflt: string) => env[name] || dflt));
  }
  return flags;
}
