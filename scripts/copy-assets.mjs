// Copies the files of src/ that the compiled code reads at run time (not TypeScript) beside it:
// `node scripts/copy-assets.mjs <source root> <output root>` (npm run build: src → dist; the benchmarks' builds too).
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders under src/ read at run time: the SQL migrations, the chat widget's script and stylesheet. */
export const ASSET_DIRS = ['store/postgres/migrations', 'channels/web/widget'];

export function copyAssets(from, to) {
  for (const dir of ASSET_DIRS) {
    rmSync(join(to, dir), { recursive: true, force: true });
    cpSync(join(from, dir), join(to, dir), { recursive: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [from, to] = process.argv.slice(2);
  if (!from || !to) {
    process.stderr.write('usage: node scripts/copy-assets.mjs <source root> <output root>\n');
    process.exit(2);
  }
  copyAssets(from, to);
}
