/**
 * GPRA/NOMs interviews (docs/formats.md `followups`, docs/funder-reporting.md): an intake
 * interview for most episodes and, about six months later, a follow-up for about 70% of
 * the intakes whose window has closed, with refusals, people not located and a few deaths.
 * Answers improve somewhat from intake to follow-up, more for those who engaged.
 *
 * Drawn from a stream of its own (FOLLOWUP_STREAM, one per episode), so adding interviews
 * changed no number the rest of the cohort draws.
 */
import type { DayFormatter } from './calendar';
import type { DischargeReason } from './catalog';
import type { LineSink } from './attendance';
import { Rng } from './prng';

/** 4 is the PHQ-9 follow-up scores' stream (followup-scores.ts). */
export const FOLLOWUP_STREAM = 5;
export const FOLLOWUP_COLUMNS = [
  'patient_id', 'interview_type', 'interviewed_on', 'status', 'episode_id',
  'days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected',
];

/** Share of episodes with an intake interview. */
const INTAKE_SHARE = 0.9;
/** Outcome of the six-month attempt (the rest have no record at all). */
const FOLLOWUP_OUTCOMES = { completed: 0.72, refused: 0.07, not_located: 0.14 } as const;
/** Share of completed follow-ups done late, after the window (no_record in the measure). */
const LATE_SHARE = 0.04;
/** Share of intakes who die before the follow-up. */
const DECEASED_SHARE = 0.015;
/** Chance that a single answer is left blank. */
const BLANK_ANSWER = 0.03;

/** The share positive on each NOMs domain at intake, and at follow-up for those negative / positive at intake. */
const DOMAINS = {
  abstinent: { intake: 0.3, after: [0.45, 0.8] },
  employed: { intake: 0.4, after: [0.25, 0.85] },
  housed: { intake: 0.65, after: [0.45, 0.92] },
  notArrested: { intake: 0.88, after: [0.8, 0.97] },
  connected: { intake: 0.55, after: [0.45, 0.88] },
} as const;
type Domain = keyof typeof DOMAINS;
type Answers = Record<Domain, boolean | null>;

export interface FollowupEpisode {
  index: number;
  episodeId: string;
  patientId: string;
  admitted: number;
  discharged: number | null;
  reason: DischargeReason | null;
}

/** Day offsets of the six-month window's safe inside (5 months ≥ 150 days, 8 months ≥ 242 days). */
const WINDOW_INSIDE = { from: 155, to: 238 } as const;

function drawAnswers(rng: Rng, before: Answers | null, engaged: boolean): Answers {
  const out = {} as Answers;
  for (const d of Object.keys(DOMAINS) as Domain[]) {
    const p = before === null ? DOMAINS[d].intake : DOMAINS[d].after[before[d] ? 1 : 0] + (engaged ? 0.05 : -0.05);
    const value = rng.chance(Math.min(0.99, Math.max(0.01, p)));
    out[d] = rng.chance(BLANK_ANSWER) ? null : value;
  }
  return out;
}

function row(e: FollowupEpisode, type: string, day: string, status: string, a: Answers | null, rng: Rng): string {
  if (a === null) return `${e.patientId},${type},${day},${status},,,,,,\n`;
  const b = (v: boolean | null): string => (v === null ? '' : String(v));
  // Days used: 0 when abstinent, else 1–30 leaning low.
  const days = a.abstinent === null ? '' : a.abstinent ? '0' : String(1 + Math.floor(29 * rng.next() ** 2));
  const arrested = a.notArrested === null ? '' : String(!a.notArrested);
  return `${e.patientId},${type},${day},${status},,${days},${b(a.employed)},${b(a.housed)},${arrested},${b(a.connected)}\n`;
}

/**
 * Writes one episode's interviews; `taken` holds the patient's keys already written
 * (type|day), so a readmitted patient never repeats a natural key.
 */
export function writeFollowups(sink: LineSink, seed: number, e: FollowupEpisode, lastEventDay: number, dates: DayFormatter, taken: Set<string>): void {
  const rng = new Rng(seed, FOLLOWUP_STREAM, e.index);
  const push = (type: string, day: number, status: string, a: Answers | null) => {
    const key = `${type}|${day}`;
    if (day > lastEventDay || taken.has(key)) return;
    taken.add(key);
    sink.push(row(e, type, dates.format(day), status, a, rng));
  };
  if (!rng.chance(INTAKE_SHARE)) return;
  const intakeDay = e.admitted + (rng.chance(0.8) ? 0 : rng.int(1, 3));
  if (intakeDay > lastEventDay) return;
  const intake = drawAnswers(rng, null, false);
  push('intake', intakeDay, 'completed', intake);

  // A few die before the follow-up (the cohort's discharges carry no deaths): the attempt records it.
  if (rng.chance(DECEASED_SHARE)) {
    push('followup_6m', intakeDay + rng.int(30, 200), 'deceased', null);
    return;
  }
  const u = rng.next();
  const late = rng.chance(LATE_SHARE);
  const offset = late ? rng.int(250, 300) : Math.round(Math.min(WINDOW_INSIDE.to, Math.max(WINDOW_INSIDE.from, rng.normal(185, 18))));
  const day = intakeDay + offset;
  const engaged = e.reason === 'completed' || e.reason === 'transferred';
  if (u < FOLLOWUP_OUTCOMES.completed) push('followup_6m', day, 'completed', drawAnswers(rng, intake, engaged));
  else if (u < FOLLOWUP_OUTCOMES.completed + FOLLOWUP_OUTCOMES.refused) push('followup_6m', day, 'refused', null);
  else if (u < FOLLOWUP_OUTCOMES.completed + FOLLOWUP_OUTCOMES.refused + FOLLOWUP_OUTCOMES.not_located) push('followup_6m', day, 'not_located', null);
}
