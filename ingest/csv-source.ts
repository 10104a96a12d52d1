import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { parse, type Parser } from 'csv-parse';

/**
 * Streams a CSV source as records with their physical line numbers, hashing the bytes
 * as they pass (for lineage and duplicate detection) and refusing bytes that are not
 * UTF-8. Memory stays flat: nothing is buffered beyond csv-parse's current record.
 */
export interface RawRecord {
  /** Physical line of the record in the file (the header is line 1). */
  line: number;
  fields: string[];
}

export class FileError extends Error {
  override name = 'FileError';
}

export interface CsvStream {
  header: string[];
  /** Records in file order, in batches (a batch is whatever csv-parse had buffered, at most 4096). */
  batches: AsyncIterable<RawRecord[]>;
  /** Available once `records` is exhausted. */
  sha256(): string;
  bytesRead(): number;
}

export async function openCsv(input: Readable): Promise<CsvStream> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  let newlines = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const decode = new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        cb(new FileError(`the file is not valid UTF-8 (near line ${newlines + newlinesBeforeInvalid(chunk) + 1}); re-export it as UTF-8`));
        return;
      }
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) newlines++;
      cb(null, text);
    },
    flush(cb) {
      try {
        cb(null, decoder.decode());
      } catch {
        cb(new FileError(`the file is not valid UTF-8 (near line ${newlines + 1}); re-export it as UTF-8`));
      }
    },
  });
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    info: true,
    max_record_size: 1_000_000,
  });
  // Errors are read from `parser.errored` where we wait; this listener only keeps an
  // error raised between two waits from becoming an unhandled 'error' event.
  parser.on('error', () => undefined);
  input.on('error', (e) => decode.destroy(new FileError(`cannot read the file: ${e.message}`)));
  decode.on('error', (e) => parser.destroy(e));
  input.pipe(decode).pipe(parser);

  const first = await firstRecord(parser);
  const header = first.record.map((h) => h.trim());

  // csv-parse's info.lines is the line where a record ends, and it counts a CRLF inside
  // quotes as two lines; we report the physical line where each record starts.
  let overcount = lineBreaks(first.record).overcount;
  // Records are drained synchronously from csv-parse's buffer and handed on in batches:
  // one await per batch instead of one per record, which dominated the parse time.
  async function* batches(): AsyncGenerator<RawRecord[]> {
    for (;;) {
      const batch: RawRecord[] = [];
      for (let r = parser.read() as Parsed | null; r !== null; r = parser.read() as Parsed | null) {
        const breaks = lineBreaks(r.record);
        overcount += breaks.overcount;
        batch.push({ line: r.info.lines - overcount - breaks.physical, fields: r.record });
        if (batch.length >= 4096) break;
      }
      if (batch.length) {
        yield batch;
        continue;
      }
      if (await readableOrEnd(parser)) return;
    }
  }
  let digest: string | null = null;
  return { header, batches: batches(), sha256: () => (digest ??= hash.digest('hex')), bytesRead: () => bytes };
}

/** Line breaks inside quoted fields: physical ones, and how many more csv-parse counted (one per CRLF). */
function lineBreaks(fields: string[]): { physical: number; overcount: number } {
  let physical = 0;
  let overcount = 0;
  for (const f of fields) {
    if (!f.includes('\n') && !f.includes('\r')) continue;
    physical += f.match(/\r\n|\n|\r/g)?.length ?? 0;
    overcount += f.match(/\r\n/g)?.length ?? 0;
  }
  return { physical, overcount };
}

/** Line ends before the first byte that is not UTF-8 in a chunk, so the error names the right line. */
function newlinesBeforeInvalid(chunk: Buffer): number {
  const lossy = new TextDecoder('utf-8').decode(chunk);
  const bad = lossy.indexOf('\uFFFD');
  return (bad === -1 ? lossy : lossy.slice(0, bad)).split('\n').length - 1;
}

type Parsed = { record: string[]; info: { lines: number } };
async function firstRecord(parser: Parser): Promise<Parsed> {
  for (;;) {
    const r = parser.read() as Parsed | null;
    if (r) return r;
    if (await readableOrEnd(parser)) throw new FileError('the file is empty: expected a header row');
  }
}

/**
 * Waits until csv-parse has records to read (false) or has ended (true). A parse error
 * becomes a FileError. The parser carries a permanent error listener (see openCsv), so
 * an error raised while nobody waits is kept, not thrown as an unhandled event.
 */
function readableOrEnd(parser: Parser): Promise<boolean> {
  if (parser.errored) return Promise.reject(asFileError(parser.errored));
  if (parser.readableEnded) return Promise.resolve(true);
  if (parser.destroyed) return Promise.reject(new FileError('the file could not be read to the end'));
  return new Promise((resolve, reject) => {
    const events = ['readable', 'end', 'close', 'error'] as const;
    const done = () => {
      for (const e of events) parser.off(e, done);
      if (parser.errored) reject(asFileError(parser.errored));
      else if (parser.readableEnded) resolve(true);
      else if (parser.destroyed) reject(new FileError('the file could not be read to the end'));
      else resolve(false);
    };
    for (const e of events) parser.on(e, done);
  });
}

function asFileError(e: unknown): FileError {
  if (e instanceof FileError) return e;
  return new FileError(`the file is not readable as CSV: ${e instanceof Error ? e.message : String(e)}`);
}

/** Hashes a whole file up front so a re-ingest is recognised before any parsing. */
export async function sha256OfStream(input: Readable): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of input) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
