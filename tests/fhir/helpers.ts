import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Warehouse } from '../../warehouse/db';
import { ingestFhir } from '../../ingest/fhir/ingest-fhir';
import type { FhirLoadOptions, FhirSummary } from '../../ingest/fhir/load';
import type { Resource } from '../../ingest/fhir/resource';

/** The HL7 US Core and CDC Opioid CDS examples (tests/reference/published/fhir; see its README). */
export const REFERENCE_FHIR = path.resolve(import.meta.dirname, '../reference/published/fhir');

export function reference(name: string): Resource {
  return JSON.parse(fs.readFileSync(path.join(REFERENCE_FHIR, `${name}.json`), 'utf8')) as Resource;
}

export const PHQ9_ITEMS = ['44250-9', '44251-7', '44252-5', '44253-3', '44254-1', '44255-8', '44258-2', '44259-0', '44260-8', '69722-7']
  .map((c) => `Observation-PHQ9-item-example-${c}`);

/** A copy of a resource about another patient, so each test path has its own rows. */
export function about(r: Resource, patient: string): Resource {
  const copy = structuredClone(r);
  if (copy.subject) copy.subject = { reference: `Patient/${patient}` };
  return copy;
}

export function bundle(resources: Resource[], type = 'collection'): Resource {
  return { resourceType: 'Bundle', type, entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${resource.resourceType}-${resource.id ?? ''}`, resource })) };
}

export function patient(id: string, extra: Record<string, unknown> = {}): Resource {
  return { resourceType: 'Patient', id, gender: 'female', birthDate: '1980-04-02', ...extra };
}

export function ingestText(wh: Warehouse, text: string, opts: Partial<FhirLoadOptions> = {}): Promise<FhirSummary> {
  return ingestFhir(wh, { input: Readable.from([Buffer.from(text)]), sourceName: opts.sourceName ?? 'fhir-test', today: '2025-06-30', ...opts });
}

export function ndjson(resources: Resource[]): string {
  return `${resources.map((r) => JSON.stringify(r)).join('\n')}\n`;
}
