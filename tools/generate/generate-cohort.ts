/**
 * `iop generate`: writes a synthetic IOP cohort as canonical CSVs (docs/formats.md, docs/cli.md), one file
 * per entity in ingest order, plus deliberately invalid rows under bad/. The output is a pure
 * function of (episodes, seed, asOf): patients and episodes each draw from their own seeded
 * stream and rows stream to disk episode by episode, so memory stays flat at any size.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ABSTINENCE_COLUMNS } from './abstinence';
import { ASSESSMENT_COLUMNS } from './assessments';
import { ATTENDANCE_COLUMNS, SessionCounter } from './attendance';
import { badAssessmentRows, badAttendanceRows, badRowLine, type BadRowAnchor } from './bad-rows';
import { DayFormatter, dayOf, parseIsoDay, programHolidays, todayUtc } from './calendar';
import { TRACKS } from './catalog';
import { CsvSink, csvField } from './csv-sink';
import { writeFollowupScores } from './followup-scores';
import { EPISODE_COLUMNS, episodeId, writeEpisode, type CohortContext, type EpisodeSinks } from './episode';
import { FOLLOWUP_COLUMNS, writeFollowups } from './followups';
import { makePatient, type Patient } from './patient';
import { CLINICIANS, PLANNED_WEEKS, SITES } from './staff';

export interface GenerateOptions {
  episodes: number;
  seed: number;
  outDir: string;
  /** YYYY-MM-DD; defaults to today (UTC). No generated date falls on or after it. */
  asOf?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedFile {
  entity: string;
  path: string;
  rows: number;
}

export interface GenerateSummary {
  outDir: string;
  seed: number;
  asOf: string;
  episodes: number;
  patients: number;
  /** The good files, in the order they must be ingested. */
  files: GeneratedFile[];
  /** Invalid rows for the quarantine demo, with the rule each row breaks. */
  badFiles: (GeneratedFile & { breaks: string[] })[];
}

const OptionsSchema = z.object({
  episodes: z.int().min(1).max(50_000_000),
  seed: z.int(),
  outDir: z.string().min(1),
  asOf: z
    .string()
    .refine((s) => (parseIsoDay(s) ?? 0) >= dayOf(1903, 1, 1), 'asOf must be a real YYYY-MM-DD date after 1902')
    .optional(),
});

const TRACK_COLUMNS = ['track_code', 'name', 'level_of_care', 'active', 'planned_weeks'];
const SITE_COLUMNS = ['site_code', 'name', 'organization', 'state'];
const CLINICIAN_COLUMNS = ['clinician_id', 'name', 'discipline', 'site_code', 'active'];
const PATIENT_COLUMNS = ['patient_id', 'birth_year', 'sex', 'race', 'ethnicity'];
/** Admission window (two years) plus intake assessments up to three days before admission. */
const DATE_TABLE_DAYS = 740;
const PROGRESS_EVERY = 1000;

function writeTracks(sink: CsvSink): void {
  for (const t of TRACKS) sink.push(`${t.code},${csvField(t.name)},${t.levelOfCare},true,${PLANNED_WEEKS[t.code] ?? ''}\n`);
}

function writeStaff(sites: CsvSink, clinicians: CsvSink): void {
  for (const s of SITES) sites.push(`${s.code},${csvField(s.name)},${csvField(s.organization)},${s.state}\n`);
  for (const c of CLINICIANS) clinicians.push(`${c.id},${csvField(c.name)},${csvField(c.discipline)},${c.site ?? ''},${!c.leftYearAgo}\n`);
}

function writePatient(sink: CsvSink, p: Patient): void {
  sink.push(`${p.id},${p.birthYear},${p.sex},${p.race},${p.ethnicity}\n`);
}

async function writeBadFiles(outDir: string, anchor: BadRowAnchor): Promise<GenerateSummary['badFiles']> {
  const sets = [
    { entity: 'attendance', columns: ATTENDANCE_COLUMNS, rows: badAttendanceRows(anchor) },
    { entity: 'assessments', columns: ASSESSMENT_COLUMNS, rows: badAssessmentRows(anchor) },
  ];
  const written: GenerateSummary['badFiles'] = [];
  for (const set of sets) {
    const sink = new CsvSink(set.entity, join(outDir, 'bad', `${set.entity}.csv`), set.columns);
    for (const row of set.rows) sink.push(badRowLine(set.columns, row));
    await sink.close();
    written.push({ ...sink.describe(), breaks: set.rows.map((r) => r.breaks) });
  }
  return written;
}

interface CohortSinks extends EpisodeSinks {
  tracks: CsvSink;
  sites: CsvSink;
  clinicians: CsvSink;
  patients: CsvSink;
  episodes: CsvSink;
  attendance: CsvSink;
  assessments: CsvSink;
  abstinence: CsvSink;
  followups: CsvSink;
}

function openSinks(outDir: string): CohortSinks {
  const file = (entity: string, columns: readonly string[]): CsvSink =>
    new CsvSink(entity, join(outDir, `${entity}.csv`), columns);
  return {
    tracks: file('tracks', TRACK_COLUMNS),
    sites: file('sites', SITE_COLUMNS),
    clinicians: file('clinicians', CLINICIAN_COLUMNS),
    patients: file('patients', PATIENT_COLUMNS),
    episodes: file('episodes', EPISODE_COLUMNS),
    attendance: file('attendance', ATTENDANCE_COLUMNS),
    assessments: file('assessments', ASSESSMENT_COLUMNS),
    abstinence: file('abstinence', ABSTINENCE_COLUMNS),
    followups: file('followups', FOLLOWUP_COLUMNS),
  };
}

/** In ingest order (docs/cli.md). */
function inOrder(s: CohortSinks): CsvSink[] {
  return [s.tracks, s.sites, s.clinicians, s.patients, s.episodes, s.attendance, s.assessments, s.abstinence, s.followups];
}

interface Written {
  episodes: number;
  patients: number;
  anchor: BadRowAnchor;
}

/** Ingest links a score to an episode from 14 days before its admission: a follow-up stays before that, so it changes no episode's baseline. */
const READMISSION_LINK_MARGIN = 15;

/** Patient by patient: the first episode, then a readmission when the patient has one and it fits before as-of. */
async function writePatientsAndEpisodes(
  ctx: CohortContext,
  sinks: CohortSinks,
  total: number,
  asOfDay: number,
  onProgress: GenerateOptions['onProgress'],
): Promise<Written> {
  let episodes = 0;
  let patients = 0;
  let reported = 0;
  while (episodes < total) {
    const patient = makePatient(ctx.seed, patients++, ctx.lastEventDay);
    writePatient(sinks.patients, patient);
    const taken = new Set<string>();
    const interviews = (index: number, admitted: number, o: { discharged: number | null; reason: typeof outcome.reason }) =>
      writeFollowups(sinks.followups, ctx.seed, { index, episodeId: episodeId(index), patientId: patient.id, admitted, discharged: o.discharged, reason: o.reason }, ctx.lastEventDay, ctx.dates, taken);
    const first = episodes;
    const outcome = writeEpisode(ctx, sinks, patient, episodes++, patient.firstTrack, patient.firstAdmission);
    interviews(first, patient.firstAdmission, outcome);
    const gap = patient.readmissionGap;
    const readmitted = outcome.discharged === null || gap === null ? null : outcome.discharged + gap;
    const readmits = readmitted !== null && readmitted <= ctx.lastEventDay && episodes < total;
    // Follow-up PHQ-9s after discharge (their own stream): before the readmission's intake window, if any.
    writeFollowupScores(sinks.assessments, ctx.seed, first, {
      patientId: patient.id, admitted: patient.firstAdmission, discharged: outcome.discharged, phq9: outcome.phq9,
      until: readmits && readmitted !== null ? readmitted - READMISSION_LINK_MARGIN : ctx.lastEventDay,
    }, ctx.dates);
    if (readmits && readmitted !== null) {
      const second = episodes;
      const again = writeEpisode(ctx, sinks, patient, episodes++, patient.readmissionTrack, readmitted);
      interviews(second, readmitted, again);
      writeFollowupScores(sinks.assessments, ctx.seed, second, {
        patientId: patient.id, admitted: readmitted, discharged: again.discharged, phq9: again.phq9, until: ctx.lastEventDay,
      }, ctx.dates);
    }
    for (const sink of inOrder(sinks)) await sink.relieve();
    if (onProgress && (episodes - reported >= PROGRESS_EVERY || episodes === total)) {
      reported = episodes;
      onProgress(episodes, total);
    }
  }
  const first = makePatient(ctx.seed, 0, ctx.lastEventDay);
  const anchor = { patientId: first.id, episodeId: episodeId(0), day: first.firstAdmission, asOfDay };
  return { episodes, patients, anchor };
}

export async function generateCohort(options: GenerateOptions): Promise<GenerateSummary> {
  const opts = OptionsSchema.parse({ episodes: options.episodes, seed: options.seed, outDir: options.outDir, asOf: options.asOf });
  const asOf = opts.asOf ?? todayUtc();
  const asOfDay = parseIsoDay(asOf);
  if (asOfDay === null) throw new Error(`asOf is not a YYYY-MM-DD date: ${asOf}`);
  const lastEventDay = asOfDay - 1;
  await mkdir(join(opts.outDir, 'bad'), { recursive: true });
  const ctx: CohortContext = {
    seed: opts.seed,
    lastEventDay,
    holidays: programHolidays(lastEventDay - DATE_TABLE_DAYS, lastEventDay),
    dates: new DayFormatter(lastEventDay - DATE_TABLE_DAYS, lastEventDay),
    sessions: new SessionCounter(),
  };
  const sinks = openSinks(opts.outDir);
  let written: Written;
  try {
    writeTracks(sinks.tracks);
    writeStaff(sinks.sites, sinks.clinicians);
    written = await writePatientsAndEpisodes(ctx, sinks, opts.episodes, asOfDay, options.onProgress);
    for (const sink of inOrder(sinks)) await sink.close();
  } catch (err) {
    for (const sink of inOrder(sinks)) sink.abort();
    throw err;
  }
  return {
    outDir: opts.outDir,
    seed: opts.seed,
    asOf,
    episodes: written.episodes,
    patients: written.patients,
    files: inOrder(sinks).map((s) => s.describe()),
    badFiles: await writeBadFiles(opts.outDir, written.anchor),
  };
}
