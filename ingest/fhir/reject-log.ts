import type { Warehouse } from '../../warehouse/db';
import type { Resource } from './resource';

export interface FhirReject {
  resource_type: string;
  resource_id: string | null;
  reason: string;
}

const SAMPLE = 100;
const CHUNK = 500;

/** Quarantines unmappable resources in `fhir_rejects`, in chunks, keeping the first 100 for the summary. */
export class RejectLog {
  count = 0;
  readonly sample: FhirReject[] = [];
  private pending: (FhirReject & { resource: string | null })[] = [];

  constructor(private readonly wh: Warehouse, private readonly loadId: string, private readonly sourceName: string) {}

  async add(reject: FhirReject, resource: Resource | null): Promise<void> {
    this.count++;
    if (this.sample.length < SAMPLE) this.sample.push(reject);
    this.pending.push({ ...reject, resource: resource ? JSON.stringify(resource) : null });
    if (this.pending.length >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending.map((r) => ({ load_id: this.loadId, source_name: this.sourceName, ...r }));
    this.pending = [];
    await this.wh.db.insertInto('fhir_rejects').values(rows).execute();
  }
}
