import { attendanceByWeekChart, attendanceWeekRows } from '../charts/attendance-by-week';
import { ietChart, ietRows } from '../charts/iet';
import { spcChart, spcRows } from '../charts/spc-chart';
import { attendanceByWeekDefinition, ietDefinition } from '../chart-definitions';
import { metricParams, spcParams } from '../state';
import type { AttendanceResponse, SpcResponse } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';
import { spcDefinition } from './qi';

interface AttendanceData {
  attendance: AttendanceResponse;
  /** Monthly completion from the SPC route: its maturity rule keeps months too young to judge off the chart (never drawn as a drop). */
  monthly: SpcResponse;
}

export const attendancePage: PageModule<AttendanceData> = {
  title: 'Attendance',
  async load(api, state) {
    const monthlyState = { ...state, spcSeries: 'completion' as const, spcPeriod: 'month' as const, spcBasis: 'admission' as const, laney: false, splits: [] };
    const [attendance, monthly] = await Promise.all([api.metric('attendance', metricParams(state)), api.spc('completion', spcParams(monthlyState))]);
    return { attendance, monthly };
  },
  view({ attendance, monthly }, ctx) {
    const doc = ctx.doc;
    return pageSection(
      doc,
      'Attendance and engagement',
      `Session attendance, engagement and monthly completion, as of ${attendance.as_of}.`,
      chartCard(doc, {
        name: 'attendance-by-week',
        title: 'Attendance rate by week in program',
        howTo: 'Each line is the share of scheduled sessions attended (cancelled and excused excluded) in each week since admission; higher is better.',
        definition: attendanceByWeekDefinition(attendance),
        chart: attendanceByWeekChart(attendance, { document: doc }),
        rows: attendanceWeekRows(attendance),
      }),
      chartCard(doc, {
        name: 'iet',
        title: 'Initiation and engagement (IET)',
        howTo: 'Bars show the share of episodes that initiated and engaged in treatment (HEDIS IET; the windows are in the definition below); whiskers are 95% CIs.',
        definition: ietDefinition(attendance),
        chart: ietChart(attendance, { document: doc }),
        rows: ietRows(attendance),
      }),
      chartCard(doc, {
        name: 'p-chart',
        title: 'Monthly completion rate (p-chart)',
        howTo: 'Each point is one admission month’s completion rate; a red point outside the dashed 3-sigma limits, or an orange phase with a run signal, is a real change rather than noise. Grey bands are months too young to judge. The QI page has every series, phases and targets.',
        definition: spcDefinition(monthly),
        chart: spcChart(monthly, { document: doc, ariaLabel: 'Completion p-chart by admission month' }),
        rows: spcRows(monthly),
      }),
    );
  },
};
