/**
 * A real Helpline process (the same `launch` as `npm start`) for test/process-policy.test.ts. It plants an
 * error nothing catches on each SIGUSR2: first an unhandled promise rejection, then an uncaught exception.
 */
import { launch } from '../../src/launch.js';

let planted = 0;
process.on('SIGUSR2', () => {
  planted++;
  if (planted === 1) void Promise.reject(new Error('planted rejection'));
  else setImmediate(() => {
    throw new Error('planted exception');
  });
});
await launch('auto');
