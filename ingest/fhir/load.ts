import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Warehouse } from '../../warehouse/db';
import { ingestCsv, type IngestSummary } from '../loader';
import { tempDirectory } from '../temp-files';
import { FHIR_COLUMNS, FHIR_ENTITIES, ITEM_COLUMNS, MAX_FHIR_ITEMS, SOURCE_COLUMN, type Answer, type FhirEntity, type Mapped, type MapOptions } from './mapped';
import { DEFAULT_FOLLOWUP_MAP, mapFollowupResponse, type FollowupItemMap } from './map-followup';
import { mapResource } from './map-resource';
import { EpisodeExtras, writeEpisodes } from './episode-extras';
import { canonical, mapQuestionnaireResponse, readQuestionnaire, type QuestionnaireScoring } from './questionnaire';
import { RejectLog, type FhirReject } from './reject-log';
import { idOf, str, type Resource } from './resource';
import { CsvSpool } from './spool';
import { DEFAULT_ORDINALS } from './terminology';
import type { DischargeReason } from './terminology';

/** What `iop ingest fhir --json` prints: one batch per entity, plus the quarantine. */
export interface FhirSummary {
  load_id: string;
  source: string;
  status: 'committed' | 'duplicate';
  resources_read: number;
  rows: Partial<Record<FhirEntity, number>>;
  batches: IngestSummary[];
  quarantined: number;
  /** The first 100 quarantined resources; all are in `fhir_rejects`. */
  quarantine: FhirReject[];
  /** Resources deliberately not loaded (panels, Questionnaires…), by reason. */
  ignored: Record<string, number>;
  warnings: string[];
}

export interface FhirMapConfig {
  dischargeMap?: Readonly<Record<string, DischargeReason>>;
  episodeCodes?: Readonly<Record<string, string>>;
  /** Which QuestionnaireResponses are GPRA/NOMs interviews, and which linkId fills which column (map-followup.ts). */
  followupMap?: FollowupItemMap;
}

export interface FhirLoadOptions extends FhirMapConfig {
  sourceName: string;
  /** The ingest date (default today): later dates are rejected by the loader. */
  today?: string;
}

interface ItemGroup {
  patient: string;
  instrument: string;
  date: string;
  answers: Map<number, Answer>;
}

/**
 * One FHIR load: resources are mapped as they arrive and spooled as canonical CSV per
 * entity; `finish` scores the item answers, then feeds each entity to the CSV loader as
 * one batch, references first. Validation, quarantine of bad rows, lineage, corrections
 * and model refresh are therefore those of a CSV ingest.
 */
export class FhirLoad {
  readonly loadId = crypto.randomUUID();
  private resourcesRead = 0;
  private readonly ignored: Record<string, number> = {};
  private readonly groups = new Map<string, ItemGroup>();
  private readonly questionnaires = new Map<string, QuestionnaireScoring>();
  private readonly responses: Resource[] = [];
  /** Diagnoses and first contacts of episodes, from the resources around them. */
  private readonly extras = new EpisodeExtras();
  private readonly rejects: RejectLog;
  private readonly spools: Record<FhirEntity, CsvSpool>;
  /** Totals are written after the item-scored rows, so a reported total wins over the items (later row wins). */
  private readonly totals: CsvSpool;
  private readonly header: string;

  private constructor(private readonly wh: Warehouse, private readonly opts: FhirLoadOptions, private readonly map: MapOptions, private readonly dir: string) {
    this.rejects = new RejectLog(wh, this.loadId, opts.sourceName);
    const file = (name: string) => path.join(dir, `${name}.csv`);
    // The assessments header is written last (`header`), once we know whether items were scored.
    this.spools = Object.fromEntries(FHIR_ENTITIES.map((e) => [e, new CsvSpool(file(e), e === 'assessments' ? null : FHIR_COLUMNS[e])])) as Record<FhirEntity, CsvSpool>;
    this.totals = new CsvSpool(file('assessment-totals'), null);
    this.header = path.join(dir, 'assessments-header.csv');
  }

  static async open(wh: Warehouse, opts: FhirLoadOptions): Promise<FhirLoad> {
    const instruments = await wh.db.selectFrom('instruments').select(['code', 'loinc']).where('loinc', 'is not', null).execute();
    const map: MapOptions = {
      dischargeMap: opts.dischargeMap ?? {},
      episodeCodes: opts.episodeCodes ?? {},
      instrumentsByLoinc: new Map(instruments.flatMap((i) => (i.loinc ? [[i.loinc, i.code] as const] : []))),
    };
    // Private, and swept at the next start if this process is killed (ingest/temp-files.ts).
    const dir = tempDirectory('fhir');
    return new FhirLoad(wh, opts, map, dir);
  }

  async add(r: Resource): Promise<void> {
    this.resourcesRead++;
    if (r.resourceType === 'Questionnaire') {
      const url = canonical(str(r.url));
      if (url) this.questionnaires.set(url, readQuestionnaire(r));
      return this.ignore('Questionnaire (used for scoring)');
    }
    if (r.resourceType === 'QuestionnaireResponse') {
      // Scored at the end: its Questionnaire may come later in the input.
      this.responses.push(r);
      return;
    }
    if (r.resourceType === 'Condition') {
      this.extras.condition(r);
      return this.ignore('Condition (diagnoses of its episode)');
    }
    if (r.resourceType === 'ServiceRequest') {
      this.extras.serviceRequest(r);
      return this.ignore('ServiceRequest (first contact of its episode)');
    }
    if (r.resourceType === 'Appointment') this.extras.appointment(r);
    await this.apply(r, mapResource(r, this.map));
  }

  /** A piece of input that is not a resource (e.g. a bad NDJSON line). */
  async bad(reason: string): Promise<void> {
    this.resourcesRead++;
    await this.rejects.add({ resource_type: 'unknown', resource_id: null, reason }, null);
  }

  async finish(): Promise<FhirSummary> {
    try {
      const interviews = this.opts.followupMap ?? DEFAULT_FOLLOWUP_MAP;
      const isInterview = new Set(interviews.questionnaires.map((u) => canonical(u)));
      for (const r of this.responses) {
        if (isInterview.has(canonical(str(r.questionnaire)))) {
          await this.apply(r, mapFollowupResponse(r, interviews));
          continue;
        }
        const q = this.questionnaires.get(canonical(str(r.questionnaire)) ?? '');
        for (const m of mapQuestionnaireResponse(r, q, this.map)) await this.apply(r, m);
      }
      await this.writeGroups();
      const columns = this.spools.assessments.rows ? [...FHIR_COLUMNS.assessments, ...ITEM_COLUMNS] : FHIR_COLUMNS.assessments;
      fs.writeFileSync(this.header, `${columns.join(',')}\n`);
      await Promise.all([...Object.values(this.spools), this.totals].map((s) => s.close()));
      await this.rejects.flush();
      const batches: IngestSummary[] = [];
      for (const entity of FHIR_ENTITIES) {
        const spool = this.spools[entity];
        const rows = spool.rows + (entity === 'assessments' ? this.totals.rows : 0);
        if (rows === 0) continue;
        const files = entity === 'assessments' ? [this.header, spool.file, this.totals.file]
          : entity === 'episodes' ? [await this.episodesFile(spool.file)] : [spool.file];
        const s = await ingestCsv(this.wh, { entity, input: concat(files), sourceName: this.opts.sourceName, ...(this.opts.today ? { today: this.opts.today } : {}) });
        batches.push({ ...s, warnings: s.warnings.filter((w) => !w.includes(SOURCE_COLUMN)) });
      }
      return this.summary(batches);
    } finally {
      this.cleanup();
    }
  }

  /** The episodes as the loader reads them: the spooled rows with their diagnoses and first contact. */
  private async episodesFile(spooled: string): Promise<string> {
    const out = path.join(this.dir, 'episodes-extras.csv');
    await writeEpisodes(spooled, out, this.extras);
    return out;
  }

  /** Drops the spooled files without loading anything. */
  async abort(): Promise<void> {
    await Promise.all([...Object.values(this.spools), this.totals].map((s) => s.close().catch(() => undefined)));
    this.cleanup();
  }

  private async apply(r: Resource, m: Mapped): Promise<void> {
    switch (m.kind) {
      case 'row':
        if (m.entity === 'episodes') this.extras.episode(r, String(m.cells[0]));
        return (m.entity === 'assessments' ? this.totals : this.spools[m.entity]).write(m.cells);
      case 'item': {
        const key = `${m.patient}\u0000${m.instrument}\u0000${m.date}`;
        let g = this.groups.get(key);
        if (!g) this.groups.set(key, (g = { patient: m.patient, instrument: m.instrument, date: m.date, answers: new Map() }));
        g.answers.set(m.n, m.answer);
        return;
      }
      case 'ignore':
        return this.ignore(`${r.resourceType}: ${m.reason}`);
      case 'reject':
        return this.rejects.add({ resource_type: r.resourceType, resource_id: idOf(r) ?? null, reason: m.reason }, r);
    }
  }

  private ignore(reason: string): void {
    this.ignored[reason] = (this.ignored[reason] ?? 0) + 1;
  }

  /** Item answers → item_n scores via the Questionnaires' ordinal values; the loader sums complete sets. */
  private async writeGroups(): Promise<void> {
    const global = new Map(DEFAULT_ORDINALS);
    for (const q of this.questionnaires.values()) for (const [code, v] of q.ordinals) global.set(code, v);
    for (const g of this.groups.values()) {
      const items: (number | null)[] = Array.from({ length: MAX_FHIR_ITEMS }, () => null);
      const unscored: string[] = [];
      for (const [n, a] of g.answers) {
        const v = 'value' in a ? a.value : a.codes.map((c) => global.get(c)).find((x) => x !== undefined);
        if (v === undefined) unscored.push(`item ${n}`);
        else items[n - 1] = v;
      }
      const source = `${g.instrument} items of Patient/${g.patient} on ${g.date}`;
      if (unscored.length) {
        await this.rejects.add({ resource_type: 'Observation', resource_id: null, reason: `${source}: no ordinal value for the answer of ${unscored.join(', ')}` }, null);
        continue;
      }
      await this.spools.assessments.write([g.patient, g.instrument, g.date, null, null, source, ...items]);
    }
  }

  private summary(batches: IngestSummary[]): FhirSummary {
    const rows: FhirSummary['rows'] = {};
    for (const e of FHIR_ENTITIES) {
      const n = this.spools[e].rows + (e === 'assessments' ? this.totals.rows : 0);
      if (n) rows[e] = n;
    }
    const warnings: string[] = [];
    if (this.rejects.count) warnings.push(`${this.rejects.count} resource(s) could not be mapped and were quarantined (fhir_rejects, load ${this.loadId})`);
    const allDuplicate = batches.length > 0 && batches.every((b) => b.status === 'duplicate');
    return {
      load_id: this.loadId, source: this.opts.sourceName, status: allDuplicate ? 'duplicate' : 'committed',
      resources_read: this.resourcesRead, rows, batches, quarantined: this.rejects.count, quarantine: this.rejects.sample,
      ignored: this.ignored, warnings,
    };
  }

  private cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function concat(files: string[]): Readable {
  return Readable.from((async function* () {
    for (const f of files) for await (const chunk of fs.createReadStream(f)) yield chunk as Buffer;
  })());
}
