/**
 * Lets the terminal wait (bounded) for the answer to a message it sent: the deliver port settles the wait
 * by the message id the reply answers. One instance per terminal channel.
 */
export function createReplyWaiters(timeoutMs: number) {
  const waiters = new Map<string, () => void>();
  return {
    /** Resolves true once `settle(id)` is called, false when `timeoutMs` passes first. */
    expect(id: string): Promise<boolean> {
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => { waiters.delete(id); resolve(false); }, timeoutMs);
        timer.unref();
        waiters.set(id, () => { clearTimeout(timer); waiters.delete(id); resolve(true); });
      });
    },
    settle(id: string): void {
      waiters.get(id)?.();
    },
  };
}

export type ReplyWaiters = ReturnType<typeof createReplyWaiters>;
