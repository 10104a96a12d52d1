import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { spoolUpload, UploadAbortedError, UploadStalledError, UploadTooLargeError, type SpooledUpload } from '../ingest/upload-spool';
import { HttpError } from './errors';

export interface BodyLimits {
  /** Largest accepted body, in bytes. */
  maxBytes: number;
  /** Longest silence between two pieces of the body, in ms. */
  stallMs: number;
}

/**
 * Fastify leaves a streamed body (a content-type parser that passes the request through)
 * unbounded in size and time; this receives it whole into a temporary file first, and
 * turns an oversized body into 413 and a stalled one into 408. Those answers leave the
 * rest of the body unread, so the connection is closed after them.
 */
export async function spoolBody(request: FastifyRequest, body: Readable, reply: FastifyReply, limits: BodyLimits): Promise<SpooledUpload> {
  const tooLarge = () => {
    reply.header('connection', 'close');
    return new HttpError(413, `The body is larger than the ingest limit of ${limits.maxBytes} bytes (IOP_INGEST_MAX_BYTES); nothing was applied`);
  };
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge();
  try {
    return await spoolUpload(body, { limit: limits.maxBytes, stallMs: limits.stallMs });
  } catch (e) {
    if (e instanceof UploadTooLargeError) throw tooLarge();
    if (e instanceof UploadStalledError) {
      reply.header('connection', 'close');
      throw new HttpError(408, `The upload stalled: no data for ${e.stallMs / 1000} s after ${e.bytes} bytes (IOP_INGEST_STALL_MS); nothing was applied`);
    }
    if (e instanceof UploadAbortedError) {
      // Nobody reads this answer (the socket is gone); the log and the audit row keep it.
      throw new HttpError(400, `The upload was cut off after ${e.bytes} bytes; nothing was applied`);
    }
    throw e;
  }
}
