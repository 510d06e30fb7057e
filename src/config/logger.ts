import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACT_PATHS = [
  'password', '*.password', 'newPassword', '*.newPassword', 'token', '*.token', 'resetToken', '*.resetToken',
  'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', 'botToken', '*.botToken',
  'appToken', '*.appToken', 'signingSecret', '*.signingSecret', 'secret', '*.secret', 'pass', '*.pass', 'auth.pass',
  'cardNumber', '*.cardNumber', 'text', '*.text', 'body', '*.body',
];

/** A log file's stream: appended to, its folder made when missing, written synchronously (nothing lost on exit). */
export function logFile(path: string): DestinationStream {
  return pino.destination({ dest: path, mkdir: true, append: true, sync: true });
}

export function createLogger(opts: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const options = {
    level: opts.level ?? 'info',
    name: opts.name ?? 'helpline',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options, pino.destination(2));
}

/** A logger that writes nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
