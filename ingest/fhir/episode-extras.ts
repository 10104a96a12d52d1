import fs from 'node:fs';
import { openCsv } from '../csv-source';
import { normalizeIcd10 } from '../fields';
import { episodeRef } from './map-episode';
import { FHIR_COLUMNS, SOURCE_COLUMN, type Cell } from './mapped';
import { arr, codings, dateOf, idOf, obj, refId, type Resource } from './resource';
import { CsvSpool } from './spool';

/** The code system of ICD-10-CM in FHIR (terminology.hl7.org, CodeSystem icd10CM). */
export const ICD10_CM_SYSTEM = 'http://hl7.org/fhir/sid/icd-10-cm';

/**
 * What other resources say about an episode (docs/formats.md "FHIR"): its diagnoses
 * (ICD-10-CM codes of the Conditions its Encounter or EpisodeOfCare lists in `diagnosis`,
 * or whose `encounter` is the episode Encounter) and its first contact (the `authoredOn`
 * of the EpisodeOfCare's `referralRequest`, else the earliest Appointment of the episode,
 * by `created`, else `start`, when that is on or before admission). These resources may
 * come before or after the episode, so they are collected here, and the spooled episode
 * rows get them when the load finishes (`writeEpisodes`).
 */
export class EpisodeExtras {
  /** Condition key (its id, else a serial) → its ICD-10-CM codes. */
  private readonly codes = new Map<string, string[]>();
  /** Episode (or Encounter) id → the Conditions it has, in the order met. */
  private readonly conditions = new Map<string, Set<string>>();
  private readonly referralOf = new Map<string, string>();
  private readonly authoredOn = new Map<string, string>();
  private readonly firstAppointment = new Map<string, string>();
  private serial = 0;

  /** An episode resource (EpisodeOfCare or episode Encounter): its diagnosis list and referral. */
  episode(r: Resource, id: string): void {
    for (const d of arr(r.diagnosis)) {
      const condition = refId(obj(d)?.condition, 'Condition');
      if (condition) this.link(id, condition);
    }
    const referral = arr(r.referralRequest).map((ref) => refId(ref, 'ServiceRequest')).find((x) => x !== undefined);
    if (referral) this.referralOf.set(id, referral);
  }

  /** A Condition: its ICD-10-CM codes, and its Encounter when it names one. */
  condition(r: Resource): void {
    const key = idOf(r) ?? `#${++this.serial}`;
    this.codes.set(key, codings(r.code).filter((c) => c.system === ICD10_CM_SYSTEM).map((c) => c.code));
    const encounter = refId(r.encounter, 'Encounter');
    if (encounter) this.link(encounter, key);
  }

  serviceRequest(r: Resource): void {
    const id = idOf(r);
    const date = dateOf(r.authoredOn);
    if (id && date) this.authoredOn.set(id, date);
  }

  appointment(r: Resource): void {
    const episode = episodeRef(arr(r.supportingInformation));
    const date = dateOf(r.created) ?? dateOf(r.start);
    if (!episode || !date) return;
    const seen = this.firstAppointment.get(episode);
    if (seen === undefined || date < seen) this.firstAppointment.set(episode, date);
  }

  private link(episode: string, condition: string): void {
    let set = this.conditions.get(episode);
    if (!set) this.conditions.set(episode, (set = new Set()));
    set.add(condition);
  }

  /**
   * The `;`-list of an episode's ICD-10-CM codes (each once, in the order met, `f321` and
   * `F32.1` being one), or null; a code of the wrong shape is passed on for the loader to reject.
   */
  diagnoses(episode: string): string | null {
    const all = [...(this.conditions.get(episode) ?? [])].flatMap((c) => this.codes.get(c) ?? []).map((c) => normalizeIcd10(c) ?? c);
    return all.length ? [...new Set(all)].join(';') : null;
  }

  /**
   * The referral's date as the source states it (the loader rejects one after admission);
   * an Appointment only when it is on or before admission, since later ones are sessions.
   */
  firstContact(episode: string, admitted: string): string | null {
    const referral = this.referralOf.get(episode);
    const authored = referral === undefined ? undefined : this.authoredOn.get(referral);
    if (authored) return authored;
    const appointment = this.firstAppointment.get(episode);
    return appointment !== undefined && appointment <= admitted ? appointment : null;
  }
}

const EPISODE_SPOOL_COLUMNS = FHIR_COLUMNS.episodes;
/** Columns written only when some episode of the load has a value: a column left out keeps the stored values (docs/formats.md "Older files"). */
const OPTIONAL = ['site_code', 'clinician_id', 'first_contact_on', 'diagnoses'] as const;

/**
 * Writes the episodes file the loader reads: the spooled rows with their first contact
 * and diagnoses added, and without the optional columns no row has a value for.
 */
export async function writeEpisodes(spooled: string, out: string, extras: EpisodeExtras): Promise<number> {
  const rowsOf = async function* () {
    const csv = await openCsv(fs.createReadStream(spooled));
    const at = (name: string) => csv.header.indexOf(name);
    for await (const batch of csv.batches) {
      for (const rec of batch) {
        const get = (name: string): string | null => rec.fields[at(name)] || null;
        const id = get('episode_id') ?? '';
        const row: Record<string, Cell> = Object.fromEntries(EPISODE_SPOOL_COLUMNS.map((c) => [c, get(c)]));
        row.first_contact_on = extras.firstContact(id, get('admitted_on') ?? '');
        row.diagnoses = extras.diagnoses(id);
        yield row;
      }
    }
  };
  const present = new Set<string>();
  for await (const row of rowsOf()) for (const c of OPTIONAL) if (row[c] !== null) present.add(c);
  const columns = [...EPISODE_SPOOL_COLUMNS.filter((c) => c !== SOURCE_COLUMN && !(OPTIONAL as readonly string[]).includes(c)),
    ...OPTIONAL.filter((c) => present.has(c)), SOURCE_COLUMN];
  const spool = new CsvSpool(out, columns);
  for await (const row of rowsOf()) await spool.write(columns.map((c) => row[c]));
  await spool.close();
  return spool.rows;
}
