import type { Readable } from 'node:stream';
import type { Warehouse } from '../../warehouse/db';
import { FhirLoad, type FhirLoadOptions, type FhirSummary } from './load';
import { readResources } from './read-resources';

export interface IngestFhirOptions extends FhirLoadOptions {
  input: Readable;
}

/**
 * `iop ingest fhir <file|->` (docs/cli.md): a FHIR R4 Bundle or Bulk Data NDJSON,
 * mapped onto the entities and loaded as one batch per entity. Throws FileError when the
 * input is not FHIR JSON at all (nothing is applied then).
 */
export async function ingestFhir(wh: Warehouse, opts: IngestFhirOptions): Promise<FhirSummary> {
  const load = await FhirLoad.open(wh, opts);
  try {
    for await (const item of readResources(opts.input)) {
      if (item.kind === 'resource') await load.add(item.resource);
      else await load.bad(item.reason);
    }
  } catch (e) {
    await load.abort();
    throw e;
  }
  return load.finish();
}
