import type { Adapter } from 'lowdb';
import type { Db } from './schema.js';
import { writeFileDurably } from './durable-file.js';
import { parseDb, readDbText } from './load.js';

/**
 * lowdb adapter for the store file. `read()` returns null only when the file does not exist and
 * throws a clear AppError for every bad file (never hands lowdb defaults to write over it);
 * `write()` serialises compactly and replaces the file atomically and durably.
 */
export class JsonFileAdapter implements Adapter<Db> {
  /** Text of the last successful read (used to refresh the `.bak`). */
  lastReadText: string | undefined;
  /** Size in bytes of the last write. */
  lastWriteBytes = 0;

  constructor(
    readonly file: string,
    private readonly validate: boolean,
  ) {}

  async read(): Promise<Db | null> {
    const text = await readDbText(this.file);
    if (text === null) return null;
    const db = parseDb(this.file, text, { validate: this.validate });
    this.lastReadText = text;
    return db;
  }

  write(data: Db): Promise<void> {
    // Serialise synchronously: the rewrite holds exactly the state as of this call.
    const text = JSON.stringify(data);
    this.lastWriteBytes = Buffer.byteLength(text);
    return writeFileDurably(this.file, text);
  }
}
