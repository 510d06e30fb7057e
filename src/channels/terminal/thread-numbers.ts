/** Terminal thread keys: `terminal:<user>:<n>`, numbered per user, skipping numbers a stored conversation already uses. */
export function createThreadNumbers(threadExists?: ((threadKey: string) => Promise<boolean>) | undefined) {
  const numbers = new Map<string, number>();
  const key = (userKey: string, n: number) => `terminal:${userKey}:${n}`;

  /** The next thread number for a user that no stored conversation uses yet. */
  async function fresh(userKey: string): Promise<string> {
    let n = (numbers.get(userKey) ?? 0) + 1;
    while (await threadExists?.(key(userKey, n))) n++;
    numbers.set(userKey, n);
    return key(userKey, n);
  }

  /** The user's latest thread in this session, or a fresh one. */
  async function current(userKey: string): Promise<string> {
    const n = numbers.get(userKey);
    return n === undefined ? fresh(userKey) : key(userKey, n);
  }

  return { fresh, current };
}

export type ThreadNumbers = ReturnType<typeof createThreadNumbers>;
