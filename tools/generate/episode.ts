/**
 * One episode of care, simulated from its own random stream (seed, episode index): the course,
 * the visits, and the rows of every fact table.
 */
import { writeAbstinence } from './abstinence';
import { writeAssessments } from './assessments';
import { writeAttendance, type LineSink, type SessionCounter } from './attendance';
import type { DayFormatter } from './calendar';
import type { DischargeReason, TrackProfile } from './catalog';
import { drawCourse } from './course';
import type { Patient } from './patient';
import { Rng } from './prng';
import { LOST_SCHEDULING_DAYS, isProgramDay, scheduleVisits } from './schedule';
import { drawSymptoms, type Trajectory } from './scores';
import { drawDiagnoses, drawIntake, staffChangeDay } from './intake';
import { PLANNED_WEEKS } from './staff';

export const EPISODE_STREAM = 2;
/**
 * Share screened with PCL-5. Roughly a third of people in addiction treatment screen positive
 * for PTSD, and more women than men; sites screen those patients repeatedly.
 */
const TRAUMA_SCREENED = { female: 0.55, other: 0.35 };
export const EPISODE_COLUMNS = [
  'episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'primary_substance',
  'site_code', 'clinician_id', 'first_contact_on', 'evaluated_on', 'planned_weeks', 'diagnoses',
];

export interface CohortContext {
  seed: number;
  /**
   * The last day any event may fall on: the day before as-of, so that a file generated late in
   * the UTC day is still valid when ingested in a time zone that is a day behind.
   */
  lastEventDay: number;
  holidays: ReadonlySet<number>;
  dates: DayFormatter;
  sessions: SessionCounter;
}

export interface EpisodeSinks {
  episodes: LineSink;
  attendance: LineSink;
  assessments: LineSink;
  abstinence: LineSink;
}

export interface EpisodeOutcome {
  /** The recorded discharge day, or null while the episode is open. */
  discharged: number | null;
  reason: DischargeReason | null;
  /** The PHQ-9 course, for the follow-up scores after discharge (followup-scores.ts). */
  phq9: Trajectory;
}

export function episodeId(index: number): string {
  return `E${String(index + 1).padStart(7, '0')}`;
}

export function writeEpisode(
  ctx: CohortContext,
  sinks: EpisodeSinks,
  patient: Patient,
  index: number,
  track: TrackProfile,
  admitted: number,
): EpisodeOutcome {
  const rng = new Rng(ctx.seed, EPISODE_STREAM, index);
  const id = episodeId(index);
  const attendable = (offset: number): number => {
    for (let o = offset; o > 0; o--) {
      const day = admitted + o;
      if (isProgramDay(track, day) && !ctx.holidays.has(day)) return o;
    }
    return 0;
  };
  const course = drawCourse(rng, track, attendable);
  const horizon = ctx.lastEventDay - admitted;
  const open = course.lostToFollowUp || course.dischargeOffset > horizon;
  const endOffset = !open
    ? course.dischargeOffset
    : course.lostToFollowUp
      ? Math.min(horizon, course.lastAttended + LOST_SCHEDULING_DAYS)
      : horizon;
  const visits = scheduleVisits(rng, { track, admitted, course, endOffset, holidays: ctx.holidays });
  const lastAttended = Math.min(course.lastAttended, endOffset);
  const moud = patient.substance === 'opioids' && rng.chance(0.55);
  const closed = open
    ? { discharged: null, reason: null }
    : { discharged: admitted + course.dischargeOffset, reason: course.reason };

  const intake = drawIntake(ctx.seed, index, track, admitted, ctx.lastEventDay);
  writeAttendance(
    sinks.attendance,
    { episodeId: id, track, admitted, visits, onMedication: moud || rng.chance(0.2), familyInvolved: rng.chance(0.15), site: intake.site, clinician: intake.clinician?.id ?? null, staffChangeDay: staffChangeDay(ctx.lastEventDay) },
    ctx.sessions,
    ctx.dates,
  );
  const engaged = course.reason === 'completed' || course.reason === 'transferred';
  const symptoms = drawSymptoms(rng, track.phqEffect, engaged, patient.sex === 'female' ? TRAUMA_SCREENED.female : TRAUMA_SCREENED.other);
  const diagnoses = drawDiagnoses(intake.rng, patient.substance, symptoms);
  const outcome: EpisodeOutcome = { ...closed, phq9: symptoms.phq9 };
  const dischargedOn = outcome.discharged === null ? '' : ctx.dates.format(outcome.discharged);
  const day = (d: number | null): string => (d === null ? '' : ctx.dates.format(d));
  // The episode's own plan is written only where it differs from its track's.
  const plannedWeeks = course.plannedDays / 7 === PLANNED_WEEKS[track.code] ? '' : String(course.plannedDays / 7);
  sinks.episodes.push(
    `${id},${patient.id},${track.code},${ctx.dates.format(admitted)},${dischargedOn},${outcome.reason ?? ''},${patient.substance},` +
      `${intake.site},${intake.clinician?.id ?? ''},${day(intake.firstContact)},${day(intake.evaluated)},${plannedWeeks},${diagnoses.join(';')}\n`,
  );
  const shared = { patientId: patient.id, episodeId: id, admitted, visits, lastAttended, endOffset };
  writeAssessments(
    sinks.assessments,
    rng,
    { ...shared, plannedDischarge: !open && engaged, substance: patient.substance, symptoms },
    ctx.dates,
  );
  writeAbstinence(sinks.abstinence, rng, { ...shared, reason: course.reason, substance: patient.substance, moud }, ctx.dates);
  return outcome;
}
