/** Parent side of bench/smtp-sink-child.ts: the SMTP sink in a child process, its mail count and contents over IPC. */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';

export interface SunkMail { from: string; to: string[]; messageId: string | undefined; inReplyTo: string | undefined }

export interface SinkProcess {
  host: string;
  port: number;
  /** Mails accepted so far (as last reported; at most ~10 ms behind). */
  count(): number;
  /** Every mail accepted so far. */
  collect(): Promise<SunkMail[]>;
  stop(): Promise<void>;
}

type FromChild = { port?: number; count?: number; mails?: SunkMail[] };

export async function startSinkProcess(): Promise<SinkProcess> {
  const child = fork(resolve('bench/smtp-sink-child.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let count = 0;
  let onMails: ((m: SunkMail[]) => void) | undefined;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const port = await new Promise<number>((res, rej) => {
    child.once('exit', (code) => rej(new Error(`SMTP sink process exited (${code}) before listening`)));
    child.on('message', (m: FromChild) => {
      if (typeof m.port === 'number') res(m.port);
      if (typeof m.count === 'number') count = m.count;
      if (m.mails) onMails?.(m.mails);
    });
  });
  return {
    host: '127.0.0.1',
    port,
    count: () => count,
    collect: () => new Promise<SunkMail[]>((res) => {
      onMails = res;
      child.send('collect');
    }),
    async stop() {
      if (child.exitCode === null && child.connected) child.send('stop');
      const t = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}
