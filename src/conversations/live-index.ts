/**
 * Which threads keep their messages (not compacted), by last activity: Map order is least recently active first.
 * Tracks their total size (characters of JSON) too. In-process only: compaction decides from it, and re-reads
 * the stored conversation before changing anything.
 */
export interface LiveEntry { at: number; chars: number }

export function createLiveIndex() {
  let active = new Map<string, LiveEntry>();
  let chars = 0;

  function forget(key: string): void {
    const e = active.get(key);
    if (!e) return;
    chars -= e.chars;
    active.delete(key);
  }

  return {
    forget,
    /** Mark `key` most recently active. */
    remember(key: string, entry: LiveEntry): void {
      forget(key);
      active.set(key, entry);
      chars += entry.chars;
    },
    /** Replace everything, with `entries` given least recently active first. */
    replace(entries: Iterable<[string, LiveEntry]>): void {
      active = new Map(entries);
      chars = 0;
      for (const e of active.values()) chars += e.chars;
    },
    /** A snapshot, least recently active first. */
    entries: (): Array<[string, LiveEntry]> => [...active.entries()],
    oldest: (): LiveEntry | undefined => active.values().next().value,
    size: () => active.size,
    chars: () => chars,
  };
}

export type LiveIndex = ReturnType<typeof createLiveIndex>;
