/**
 * What the Slack channel must remember across restarts and instances (today it keeps these in process memory):
 * - threads the bot joined by posting in them (so a person's follow-up without a mention is answered by whichever
 *   instance gets it, even when no conversation exists yet, e.g. a staff card's thread);
 * - reply chunks already posted (so a retried delivery, possibly on another instance, skips them).
 * Event dedupe is the inbound ledger's job; where staff cards were posted is on the approval or draft.
 */
export interface SlackStateRepository {
  /** Remember that the bot takes part in this thread (`<channel>:<threadTs>`); joining again refreshes `at`. */
  joinThread(threadRef: string, at: string): Promise<void>;

  isThreadJoined(threadRef: string): Promise<boolean>;

  /**
   * Record that the chunk `chunkKey` (digest of the reply plus chunk number) was posted as message `ts`.
   * Insert-if-absent: false when it was already recorded (the first record stays).
   */
  recordPosted(chunkKey: string, ts: string, at: string): Promise<boolean>;

  /** The `ts` a chunk was posted as, if it was. */
  postedTs(chunkKey: string): Promise<string | undefined>;

  /** Retention: delete joined threads and posted chunks recorded before `before`, at most `limit` rows. Returns how many. */
  prune(before: string, limit: number): Promise<number>;
}
