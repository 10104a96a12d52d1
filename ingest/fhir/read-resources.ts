import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { FileError } from '../csv-source';
import { arr, isResource, obj, type Resource } from './resource';

/** One element of a FHIR input: a resource, or a piece that is not one (quarantined by the caller). */
export type InputItem = { kind: 'resource'; resource: Resource } | { kind: 'bad'; reason: string };

/**
 * Reads FHIR R4 JSON from a stream: a Bundle (`searchset`, `collection`, …) or a single
 * resource as one JSON document, or Bulk Data NDJSON (one resource per line, FHIR Bulk
 * Data Access IG §"Bulk Data Output File Format"). NDJSON is read line by line so memory
 * stays flat; a JSON document is buffered whole, as a Bundle page is small.
 */
export async function* readResources(input: Readable): AsyncGenerator<InputItem> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let mode: 'unknown' | 'ndjson' | 'document' = 'unknown';
  const document: string[] = [];
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (mode === 'document') {
      document.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    const parsed = tryParse(line);
    if (parsed === undefined && mode === 'unknown') {
      // The first line is not a whole resource: a pretty-printed JSON document, buffered whole.
      mode = 'document';
      document.push(line);
      continue;
    }
    if (parsed === undefined) {
      yield { kind: 'bad', reason: `NDJSON line ${lineNo} is not valid JSON` };
      continue;
    }
    mode = 'ndjson';
    yield* expand(parsed, `NDJSON line ${lineNo}`);
  }
  if (mode === 'unknown') throw new FileError('the input is empty: expected a FHIR Bundle or NDJSON');
  if (mode === 'ndjson') return;
  const parsed = tryParse(document.join('\n'));
  if (parsed === undefined) throw new FileError('the input is neither a FHIR JSON document (a Bundle or a resource) nor NDJSON (one resource per line)');
  yield* expand(parsed, 'the document');
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A Bundle yields its entries' resources (nested Bundles too); anything else must be a resource. */
function* expand(value: unknown, where: string): Generator<InputItem> {
  if (!isResource(value)) {
    yield { kind: 'bad', reason: `${where} is not a FHIR resource (no resourceType)` };
    return;
  }
  if (value.resourceType !== 'Bundle') {
    yield { kind: 'resource', resource: value };
    return;
  }
  for (const [i, entry] of arr(value.entry).entries()) {
    const resource = obj(entry)?.resource;
    if (resource === undefined) continue;
    yield* expand(resource, `${where}, Bundle entry ${i + 1}`);
  }
}
