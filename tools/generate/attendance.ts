/**
 * Attendance rows for one episode. Each program day holds the track's group blocks; the first
 * program day of each week adds an individual session (and family or medication sessions for
 * the patients who get them). Minutes are recorded only for sessions that took place.
 */
import type { TrackProfile } from './catalog';
import type { DayFormatter } from './calendar';
import type { EpisodeFrame } from './schedule';
import { prescriberAt, therapistsAt } from './staff';

export const ATTENDANCE_COLUMNS = ['session_id', 'episode_id', 'session_date', 'status', 'session_type', 'minutes', 'clinician_id'];

const INTAKE_MINUTES = 90;
const INDIVIDUAL_MINUTES = 50;
const FAMILY_MINUTES = 75;
const MEDICATION_MINUTES = 50;

export interface AttendanceFrame extends Pick<EpisodeFrame, 'episodeId' | 'admitted' | 'visits'> {
  track: TrackProfile;
  /** Seen by a prescriber every other week (MOUD, or psychiatric medication). */
  onMedication: boolean;
  /** Non-family-track patients whose family joins a session every four weeks. */
  familyInvolved: boolean;
  site: string;
  /** The primary clinician, who sees the individual, family and intake sessions; null when none is recorded. */
  clinician: string | null;
  /** From this day on, clinicians who left the programme lead no groups. */
  staffChangeDay: number;
}

/**
 * Who runs a session: groups rotate among the site's therapists by day and block, the
 * prescriber sees medication visits, the primary clinician (else the day's group lead)
 * the rest.
 */
function facilitator(frame: AttendanceFrame, type: string, day: number, block: number): string {
  if (type === 'medication') return prescriberAt(frame.site).id;
  const team = therapistsAt(frame.site, day >= frame.staffChangeDay);
  const lead = team[(day + block) % team.length]?.id ?? '';
  return type === 'group' ? lead : frame.clinician ?? lead;
}

export interface LineSink {
  push(line: string): void;
}

/** Session ids run over the whole cohort, so they are unique by construction. */
export class SessionCounter {
  private next = 1;
  take(): string {
    return `S${String(this.next++).padStart(9, '0')}`;
  }
}

function weeklyExtras(frame: AttendanceFrame, week: number): [string, number][] {
  const extras: [string, number][] = [];
  const familyTrack = frame.track.code === 'family';
  if (!familyTrack || week % 2 === 0) extras.push(['individual', INDIVIDUAL_MINUTES]);
  if (familyTrack || (frame.familyInvolved && week % 4 === 2)) extras.push(['family', FAMILY_MINUTES]);
  if (frame.onMedication && week % 2 === 1) extras.push(['medication', MEDICATION_MINUTES]);
  return extras;
}

export function writeAttendance(
  sink: LineSink,
  frame: AttendanceFrame,
  sessions: SessionCounter,
  dates: DayFormatter,
): void {
  const prefix = `,${frame.episodeId},`;
  const { groupsPerDay, groupMinutes } = frame.track;
  let lastWeek = 0;
  for (const visit of frame.visits) {
    const day = frame.admitted + visit.offset;
    const date = dates.format(day);
    const attended = visit.status === 'attended';
    const row = (type: string, minutes: number, block = 0): string =>
      `${sessions.take()}${prefix}${date},${visit.status},${type},${attended ? minutes : ''},${facilitator(frame, type, day, block)}\n`;
    if (visit.offset === 0) {
      sink.push(row('assessment', INTAKE_MINUTES));
      continue;
    }
    for (let g = 0; g < groupsPerDay; g++) sink.push(row('group', groupMinutes, g));
    const week = Math.floor(visit.offset / 7);
    if (week === lastWeek) continue;
    lastWeek = week;
    for (const [type, minutes] of weeklyExtras(frame, week)) sink.push(row(type, minutes));
  }
}
