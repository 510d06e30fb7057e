/**
 * The web-sessions benchmark's server in its own process, as in production, so the benchmark's WebSocket clients and
 * fake Messages API do not share its CPU (bench/web-sessions-app.ts builds it). Over IPC it sends `{ url }` once
 * listening; `measure` starts its measurements; `stop` sends `{ figures }` and ends it.
 *
 * Usage (forked by bench/web-sessions-server.ts): node --import tsx bench/web-sessions-child.ts <fake model url> <customers> <token secret>
 */
import { startBenchApp } from './web-sessions-app.js';

async function main(): Promise<void> {
  const [modelUrl, count, secret] = process.argv.slice(2);
  const send = process.send?.bind(process);
  if (!modelUrl || !count || !secret || !send) throw new Error('usage: web-sessions-child.ts <fake model url> <customers> <token secret> (forked with IPC)');
  const app = await startBenchApp(modelUrl, Number(count), secret);
  send({ url: app.url });
  process.on('message', (m) => {
    if (m === 'measure') void app.measure().then(() => send({ measuring: true }));
    if (m === 'stop') void app.stop().then((figures) => send({ figures }, () => process.exit(0)));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`web-sessions child: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
