/**
 * A CSV file written line by line with flat memory: lines collect into a chunk of about 64 KB,
 * which goes to the stream; when the stream's buffer is full the caller awaits 'drain'.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

const CHUNK_CHARS = 64 * 1024;
/** Lets a few chunks queue in the stream, so generation overlaps the disk writes. */
const STREAM_BUFFER_BYTES = 1024 * 1024;

export class CsvSink {
  /** Data rows written, not counting the header. */
  rows = 0;
  private chunk = '';
  private readonly stream: WriteStream;
  private failure: Error | null = null;

  constructor(
    readonly entity: string,
    readonly path: string,
    columns: readonly string[],
  ) {
    this.stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: STREAM_BUFFER_BYTES });
    this.stream.on('error', (err) => {
      this.failure = err;
    });
    this.chunk = `${columns.join(',')}\n`;
  }

  /** A complete line, ending in a newline. */
  push(line: string): void {
    this.chunk += line;
    this.rows++;
  }

  /** Hands the chunk to the stream once it is large, waiting for the disk when it lags. */
  async relieve(): Promise<void> {
    if (this.chunk.length >= CHUNK_CHARS) await this.writeChunk();
  }

  describe(): { entity: string; path: string; rows: number } {
    return { entity: this.entity, path: this.path, rows: this.rows };
  }

  async close(): Promise<void> {
    await this.writeChunk();
    this.stream.end();
    await finished(this.stream);
  }

  /** Stops writing after a failure elsewhere, releasing the file handle. */
  abort(): void {
    this.chunk = '';
    this.stream.destroy();
  }

  private async writeChunk(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.chunk.length === 0) return;
    const accepted = this.stream.write(this.chunk);
    this.chunk = '';
    if (!accepted) await once(this.stream, 'drain');
  }
}

/** RFC 4180 quoting, for the few free-text values (track names). */
export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
