/**
 * The days an episode's patient was expected at the program, and what happened on each:
 * the attendance pattern every other table (sessions, assessments, tests) is drawn from.
 */
import type { Course } from './course';
import type { Substance, TrackProfile } from './catalog';
import { weekday } from './calendar';
import type { Rng } from './prng';

export type VisitStatus = 'attended' | 'no_show' | 'cancelled' | 'excused';

export interface Visit {
  /** Days since admission; the intake (offset 0) is always attended. */
  offset: number;
  status: VisitStatus;
}

/** One episode as the per-entity writers see it: who, when, and the sessions scheduled. */
export interface EpisodeFrame {
  patientId: string;
  episodeId: string;
  admitted: number;
  visits: readonly Visit[];
  lastAttended: number;
  endOffset: number;
  substance: Substance;
}

/** Sessions keep being scheduled this long after a lost patient's last visit, then stop. */
export const LOST_SCHEDULING_DAYS = 14;
const EXCUSED = 0.03;
const STAFF_CANCELLED = 0.008;
/** The extra no-show probability reached on the day before a dropout's last visit. */
const DISENGAGEMENT_RAMP = 0.5;
const RAMP_DAYS = 14;

export interface ScheduleFrame {
  track: TrackProfile;
  admitted: number;
  course: Course;
  /** The last offset with any scheduled activity (discharge, or as-of for open episodes). */
  endOffset: number;
  holidays: ReadonlySet<number>;
}

export function isProgramDay(track: TrackProfile, day: number): boolean {
  return track.weekdays.includes(weekday(day));
}

function attendingStatus(rng: Rng, course: Course, offset: number, noShowBase: number): VisitStatus {
  const toLast = course.lastAttended - offset;
  const ramp = course.disengaging && toLast < RAMP_DAYS ? DISENGAGEMENT_RAMP * (1 - toLast / RAMP_DAYS) : 0;
  const u = rng.next();
  if (u < noShowBase + ramp) return 'no_show';
  if (u < noShowBase + ramp + EXCUSED) return 'excused';
  if (u < noShowBase + ramp + EXCUSED + STAFF_CANCELLED) return 'cancelled';
  return 'attended';
}

function statusAfterLast(frame: ScheduleFrame, offset: number): VisitStatus | null {
  const { course } = frame;
  if (course.lostToFollowUp) return offset <= course.lastAttended + LOST_SCHEDULING_DAYS ? 'no_show' : null;
  return course.trailingNoShows ? 'no_show' : null;
}

export function scheduleVisits(rng: Rng, frame: ScheduleFrame): Visit[] {
  const { track, admitted, course, endOffset, holidays } = frame;
  // Most patients miss a session now and then; a few miss many (mean about 11%).
  const noShowBase = 0.04 + 0.21 * rng.next() ** 2;
  const visits: Visit[] = [{ offset: 0, status: 'attended' }];
  for (let offset = 1; offset <= endOffset; offset++) {
    const day = admitted + offset;
    if (!isProgramDay(track, day)) continue;
    if (holidays.has(day)) {
      visits.push({ offset, status: 'cancelled' });
      continue;
    }
    if (offset === course.lastAttended) {
      visits.push({ offset, status: 'attended' });
      continue;
    }
    if (offset < course.lastAttended) {
      visits.push({ offset, status: attendingStatus(rng, course, offset, noShowBase) });
      continue;
    }
    const after = statusAfterLast(frame, offset);
    if (after === null) break;
    visits.push({ offset, status: after });
  }
  return visits;
}
