import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { HttpError } from './errors';

/**
 * Fastify leaves a streamed body (a content-type parser that passes the request through)
 * unbounded; this counts bytes on the way to the loader and fails past the limit.
 */
export function limitBytes(input: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) return cb(new HttpError(413, `The body is larger than ${limit} bytes`));
      cb(null, chunk);
    },
  });
  input.on('error', (err) => counter.destroy(err));
  return input.pipe(counter);
}
