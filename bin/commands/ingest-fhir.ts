import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FileError } from '../../ingest/csv-source';
import { ingestFhir } from '../../ingest/fhir/ingest-fhir';
import type { FhirSummary } from '../../ingest/fhir/load';
import { withWarehouse, type CliContext } from '../context';
import { FailureError } from '../errors';

export interface IngestFhirFlags {
  source?: string;
  json?: boolean;
}

/** `iop ingest fhir <file|-> [--source NAME] [--json]` (docs/cli.md): one batch per entity. */
export async function ingestFhirCommand(ctx: CliContext, file: string, o: IngestFhirFlags): Promise<void> {
  const input: Readable = file === '-' ? process.stdin : openFile(file);
  const sourceName = o.source ?? (file === '-' ? 'stdin' : path.basename(file));
  const summary = await withWarehouse(ctx, async (wh) => {
    try {
      return await ingestFhir(wh, { input, sourceName });
    } catch (e) {
      if (e instanceof FileError) throw new FailureError(`${file}: ${e.message} (nothing was applied)`);
      throw e;
    }
  });
  ctx.out(o.json ? JSON.stringify(summary) : describe(summary));
}

function openFile(file: string): Readable {
  try {
    if (!fs.statSync(file).isFile()) throw new FailureError(`${file} is not a regular file`);
  } catch (e) {
    if (e instanceof FailureError) throw e;
    throw new FailureError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)} (nothing was applied)`);
  }
  return fs.createReadStream(file);
}

function describe(s: FhirSummary): string {
  return [
    `FHIR load ${s.load_id} (${s.source}): ${s.status}, ${s.resources_read} resource(s) read`,
    ...s.batches.map((b) => `  ${b.entity}: batch ${b.batch_id} ${b.status}; inserted ${b.inserted}, updated ${b.updated}, unchanged ${b.unchanged}, rejected ${b.rejected}`),
    ...Object.entries(s.ignored).map(([reason, n]) => `  ignored ${n}: ${reason}`),
    ...s.quarantine.map((q) => `  quarantined ${q.resource_type}/${q.resource_id ?? '-'}: ${q.reason}`),
    ...(s.quarantined > s.quarantine.length ? [`  … ${s.quarantined - s.quarantine.length} more in fhir_rejects (load ${s.load_id})`] : []),
    ...s.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
}
