import { checkLimit, instant } from '../repos/common.js';
import type { SlackStateRepository } from '../repos/slack.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

export function memorySlackState(s: MemoryState, run: Run): SlackStateRepository {
  return {
    joinThread: (threadRef, at) => run(() => { s.slackThreads.put({ threadRef, at }); }),
    isThreadJoined: (threadRef) => run(() => s.slackThreads.has(threadRef)),

    recordPosted: (chunkKey, ts, at) => run(() => {
      if (s.slackPosted.has(chunkKey)) return false;
      s.slackPosted.insert({ chunkKey, ts, at });
      return true;
    }),
    postedTs: (chunkKey) => run(() => s.slackPosted.get(chunkKey)?.ts),

    prune: (before, limit) => run(() => {
      checkLimit(limit);
      const t = instant(before, 'before');
      const threads = s.slackThreads.scan().filter((x) => instant(x.at) < t).slice(0, limit);
      for (const x of threads) s.slackThreads.delete(x.threadRef);
      const posted = s.slackPosted.scan().filter((x) => instant(x.at) < t).slice(0, limit - threads.length);
      for (const x of posted) s.slackPosted.delete(x.chunkKey);
      return threads.length + posted.length;
    }),
  };
}
