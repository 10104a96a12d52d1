import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { tempPath } from './temp-files';

/**
 * Receives an upload (an HTTP body, standard input) into a private temporary file
 * before any batch starts: the ingest lock is then held only while the batch is
 * applied from the file, never while a slow or stalled sender trickles bytes in
 * (issue 20: one stalled upload blocked every ingest). The SHA-256 is computed on the
 * way, so a re-sent file is recognised as a duplicate before it is parsed.
 */
export interface SpooledUpload {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Deletes the file; safe to call more than once. */
  remove(): void;
}

export interface SpoolOptions {
  /** Largest accepted size in bytes. */
  limit?: number;
  /** Longest wait for the next bytes, in ms (0: no limit). */
  stallMs?: number;
}

export class UploadTooLargeError extends Error {
  override name = 'UploadTooLargeError';
  constructor(readonly limit: number) {
    super(`the upload is larger than the limit of ${limit} bytes`);
  }
}

export class UploadStalledError extends Error {
  override name = 'UploadStalledError';
  constructor(readonly bytes: number, readonly stallMs: number) {
    super(`the upload stalled: no data for ${stallMs} ms after ${bytes} bytes`);
  }
}

export class UploadAbortedError extends Error {
  override name = 'UploadAbortedError';
  constructor(readonly bytes: number, cause?: unknown) {
    super(`the upload was cut off by the sender after ${bytes} bytes`, { cause });
  }
}

/**
 * Spools `input` to a new temporary file. On any failure the file is removed and the
 * input is left paused, not destroyed, so an HTTP server can still answer on its socket.
 */
export function spoolUpload(input: Readable, opts: SpoolOptions = {}): Promise<SpooledUpload> {
  const limit = opts.limit ?? Infinity;
  const stallMs = opts.stallMs ?? 0;
  const file = tempPath('upload', '.csv');
  const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const hash = crypto.createHash('sha256');
  const remove = () => fs.rmSync(file, { force: true });
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;

  return new Promise<SpooledUpload>((resolve, reject) => {
    let settled = false;
    const cleanup = () => {
      clearTimeout(timer);
      input.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      out.off('error', fail);
    };
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      input.pause();
      out.destroy();
      // The stream may still be opening the file: remove it once it is closed too.
      out.once('close', remove);
      remove();
      reject(e);
    };
    const armStall = () => {
      clearTimeout(timer);
      if (stallMs > 0) timer = setTimeout(() => fail(new UploadStalledError(bytes, stallMs)), stallMs);
    };
    function onData(chunk: Buffer): void {
      bytes += chunk.length;
      if (bytes > limit) return fail(new UploadTooLargeError(limit));
      hash.update(chunk);
      if (out.write(chunk)) return armStall();
      // Our disk is slower than the sender: that is not the sender stalling.
      clearTimeout(timer);
      input.pause();
      out.once('drain', () => {
        if (settled) return;
        armStall();
        input.resume();
      });
    }
    function onEnd(): void {
      if (settled) return;
      settled = true;
      cleanup();
      out.once('error', (e) => {
        remove();
        reject(e);
      });
      out.end(() => resolve({ file, bytes, sha256: hash.digest('hex'), remove }));
    }
    function onError(e: Error): void {
      fail(input.readableEnded ? e : new UploadAbortedError(bytes, e));
    }
    function onClose(): void {
      if (!input.readableEnded) fail(new UploadAbortedError(bytes));
    }
    input.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    out.on('error', fail);
    armStall();
  });
}
