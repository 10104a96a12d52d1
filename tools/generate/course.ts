/**
 * The clinical course of one episode: how it ends, on which day the patient last attends and
 * when the discharge is recorded. The outcome is drawn first, from the TEDS shares adjusted by
 * track, and the timing is then drawn given the outcome, so the discharge mix lands on TEDS
 * without tuning a hazard model.
 */
import { DISCHARGE_SHARES, type DischargeReason, type TrackProfile } from './catalog';
import { Rng, Weighted, clamp } from './prng';

/** Share of dropouts whose discharge is never recorded: open episodes lost to follow-up. */
const LOST_TO_FOLLOW_UP_SHARE = 0.1;

export interface Course {
  reason: DischargeReason;
  plannedDays: number;
  /** Day offset (admission = 0) of the last attended day. */
  lastAttended: number;
  /** Day offset of the recorded discharge; never before lastAttended. */
  dischargeOffset: number;
  /** The program never recorded a discharge: the episode stays open. */
  lostToFollowUp: boolean;
  /** No-shows become more frequent in the two weeks before the patient stops coming. */
  disengaging: boolean;
  /** Sessions scheduled after the last attended day (until discharge) are no-shows. */
  trailingNoShows: boolean;
}

const reasonMixes = new Map<string, Weighted<DischargeReason>>();

function reasonMix(track: TrackProfile): Weighted<DischargeReason> {
  const cached = reasonMixes.get(track.code);
  if (cached) return cached;
  const shares = { ...DISCHARGE_SHARES };
  const extra = (shares.dropped_out + shares.against_advice) * (track.dropoutFactor - 1);
  shares.dropped_out *= track.dropoutFactor;
  shares.against_advice *= track.dropoutFactor;
  shares.completed -= extra;
  const mix = new Weighted(Object.entries(shares) as [DischargeReason, number][]);
  reasonMixes.set(track.code, mix);
  return mix;
}

/**
 * Days from admission to the last attended day for a patient who leaves early. A Weibull with
 * shape < 1 has a falling hazard: most dropouts happen in the first two or three weeks, as in
 * the IOP retention literature (e.g. the steep early drop of outpatient survival curves).
 */
function earlyExitDay(rng: Rng, plannedDays: number): number {
  for (let attempt = 0; attempt < 8; attempt++) {
    const day = Math.floor(rng.weibull(0.8, 16));
    if (day < plannedDays - 7) return day;
  }
  return rng.int(0, 14);
}

function lastDayFor(rng: Rng, reason: DischargeReason, plannedDays: number): number {
  switch (reason) {
    case 'completed':
      return plannedDays - 1 - rng.int(0, 3);
    case 'dropped_out':
    case 'against_advice':
      return earlyExitDay(rng, plannedDays);
    case 'transferred':
      return Math.round(clamp(rng.weibull(1.2, 28), 3, plannedDays - 3));
    case 'terminated':
    case 'incarcerated':
      return rng.int(7, plannedDays - 7);
    case 'other':
      return rng.int(1, plannedDays - 1);
  }
}

/** Days between the last attended day and the recorded discharge. */
function dischargeDelay(rng: Rng, reason: DischargeReason): number {
  switch (reason) {
    case 'dropped_out':
      // Programs discharge a dropout on the last attended day, or after a few missed sessions.
      return rng.chance(0.45) ? 0 : rng.int(1, 7);
    case 'incarcerated':
      return rng.int(2, 10);
    case 'other':
      return rng.int(0, 5);
    case 'terminated':
    case 'transferred':
      return rng.int(0, 2);
    case 'completed':
    case 'against_advice':
      return 0;
  }
}

/**
 * @param attendableAtOrBefore maps a day offset to the nearest earlier day the patient could
 *   attend (a program day that is not a holiday); offset 0, the intake, always qualifies.
 */
export function drawCourse(
  rng: Rng,
  track: TrackProfile,
  attendableAtOrBefore: (offset: number) => number,
): Course {
  const plannedDays = 7 * rng.int(8, 12);
  const reason = reasonMix(track).draw(rng);
  const lastAttended = attendableAtOrBefore(lastDayFor(rng, reason, plannedDays));
  const disengaging = reason === 'dropped_out' || reason === 'against_advice' || reason === 'terminated';
  return {
    reason,
    plannedDays,
    lastAttended,
    dischargeOffset: lastAttended + dischargeDelay(rng, reason),
    lostToFollowUp: reason === 'dropped_out' && rng.chance(LOST_TO_FOLLOW_UP_SHARE),
    disengaging,
    trailingNoShows: reason === 'dropped_out' || reason === 'incarcerated' || reason === 'other',
  };
}
