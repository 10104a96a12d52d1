/**
 * Deliberately invalid rows, written to bad/ so the demo can show quarantine (docs/formats.md row
 * rules). Each row breaks exactly one rule and otherwise points at a real patient and episode,
 * so the reject report shows one clear reason per line.
 */
import { isoDate } from './calendar';

export interface BadRow {
  /** The cells by canonical column name; missing columns are empty. */
  cells: Readonly<Record<string, string>>;
  /** Which rule the row breaks. */
  breaks: string;
}

export interface BadRowAnchor {
  patientId: string;
  episodeId: string;
  /** The admission day; rows use it and the three days before, so no row is in the future by accident. */
  day: number;
  asOfDay: number;
}

export function badAttendanceRows(a: BadRowAnchor): BadRow[] {
  const date = isoDate(a.day);
  const base = { episode_id: a.episodeId, session_date: date, status: 'attended', session_type: 'group', minutes: '90' };
  return [
    { breaks: 'unknown episode_id', cells: { ...base, session_id: 'SBAD0000001', episode_id: 'E0000000' } },
    { breaks: 'unknown status', cells: { ...base, session_id: 'SBAD0000002', status: 'showed_up' } },
    { breaks: 'session_date after the ingest date', cells: { ...base, session_id: 'SBAD0000003', session_date: isoDate(a.asOfDay + 30) } },
    { breaks: 'unknown session_type', cells: { ...base, session_id: 'SBAD0000004', session_type: 'yoga' } },
    { breaks: 'not a calendar date', cells: { ...base, session_id: 'SBAD0000005', session_date: '2025-02-30' } },
    { breaks: 'missing required session_date', cells: { ...base, session_id: 'SBAD0000006', session_date: '' } },
  ];
}

export function badAssessmentRows(a: BadRowAnchor): BadRow[] {
  const base = { patient_id: a.patientId, episode_id: a.episodeId, administered_on: isoDate(a.day) };
  const on = (offset: number): string => isoDate(a.day + offset);
  const items = (values: number[]): Record<string, string> =>
    Object.fromEntries(values.map((v, i) => [`item_${i + 1}`, String(v)]));
  return [
    { breaks: 'PHQ-9 total above 27', cells: { ...base, instrument: 'PHQ-9', total_score: '31' } },
    {
      breaks: 'PHQ-9 total does not equal the sum of its items (12)',
      cells: { ...base, instrument: 'PHQ-9', administered_on: on(-1), total_score: '14', ...items([2, 2, 1, 2, 1, 1, 2, 1, 0]) },
    },
    {
      breaks: 'GAD-7 item above 3',
      cells: { ...base, instrument: 'GAD-7', administered_on: on(-2), total_score: '13', ...items([2, 4, 2, 1, 2, 1, 1]) },
    },
    { breaks: 'unknown instrument', cells: { ...base, instrument: 'PHQ-10', total_score: '9' } },
    { breaks: 'unknown patient_id', cells: { ...base, patient_id: 'P000000', instrument: 'PHQ-9', total_score: '9' } },
    { breaks: 'administered_on after the ingest date', cells: { ...base, instrument: 'GAD-7', administered_on: isoDate(a.asOfDay + 10), total_score: '8' } },
    { breaks: 'administered_on before 1900', cells: { ...base, instrument: 'PHQ-9', administered_on: '1899-12-31', total_score: '9' } },
    { breaks: 'negative total_score', cells: { ...base, instrument: 'GAD-7', administered_on: on(-3), total_score: '-2' } },
  ];
}

export function badRowLine(columns: readonly string[], row: BadRow): string {
  return `${columns.map((c) => row.cells[c] ?? '').join(',')}\n`;
}
