import type { Logger } from '../config/logger.js';
import { reasonOf } from './reason.js';
import type { TicketReplies } from './ticket-replies.js';

/**
 * Runs `replies.sweep()` every `everyMs` (0: never), one at a time; the first after one period, so the channels have
 * started by then. `stop` waits for a sweep in flight.
 */
export function createReplySweep(replies: Pick<TicketReplies, 'sweep'>, everyMs: number, log: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(() => replies.sweep()).catch((err: unknown) => log.warn({ err: reasonOf(err) }, 'staff reply sweep failed'));
  };
  return {
    start(): void {
      if (everyMs > 0) {
        timer = setInterval(run, everyMs);
        timer.unref();
      }
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
