/**
 * Heap headroom at start: the store is held in memory, so the V8 heap limit must leave room for it (a JSON store
 * takes roughly 4× its file size as live objects, plus transcripts in flight). `npm start` sets the limit with
 * `--max-old-space-size` (HELPLINE_HEAP_MB, default 1024); this reports it and warns when it is tight.
 */
import { statSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** Heap limit below this many times the store's file size is reported as too tight. */
export const HEAP_PER_STORE_BYTE = 5;

export interface HeapHeadroom {
  heapLimitMb: number;
  storeMb: number | undefined;
  /** True when the heap limit is under HEAP_PER_STORE_BYTE × the store file. */
  tight: boolean;
}

/** `storeFile`: the JSON store's file; undefined for engines that do not hold the data in memory (PostgreSQL). */
export function heapHeadroom(storeFile: string | undefined, heapLimitBytes = getHeapStatistics().heap_size_limit): HeapHeadroom {
  let storeBytes: number | undefined;
  try {
    storeBytes = storeFile ? statSync(storeFile).size : undefined;
  } catch {
    storeBytes = undefined; // a file not yet created
  }
  const mb = (b: number): number => Math.round(b / 1048576);
  return {
    heapLimitMb: mb(heapLimitBytes),
    storeMb: storeBytes === undefined ? undefined : Math.round((storeBytes / 1048576) * 10) / 10,
    tight: storeBytes !== undefined && heapLimitBytes < storeBytes * HEAP_PER_STORE_BYTE,
  };
}
