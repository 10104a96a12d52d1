import { attendanceByWeekChart, attendanceWeekRows } from '../charts/attendance-by-week';
import { ietChart, ietRows } from '../charts/iet';
import { pChart, pChartData, pChartDefinition } from '../charts/p-chart';
import { attendanceByWeekDefinition, ietDefinition } from '../chart-definitions';
import { metricParams } from '../state';
import type { AttendanceResponse, CompletionResponse } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

interface AttendanceData {
  attendance: AttendanceResponse;
  monthly: CompletionResponse;
}

export const attendancePage: PageModule<AttendanceData> = {
  title: 'Attendance & QI',
  async load(api, state) {
    const monthlyState = { ...state, groupBy: 'period' as const, period: 'month' as const };
    const [attendance, monthly] = await Promise.all([api.metric('attendance', metricParams(state)), api.metric('completion', metricParams(monthlyState))]);
    return { attendance, monthly };
  },
  view({ attendance, monthly }, ctx) {
    const doc = ctx.doc;
    const p = pChartData(monthly);
    return pageSection(
      doc,
      'Attendance and quality improvement',
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
        howTo: 'Each point is one admission month’s completion rate; points outside the dashed 3σ limits signal a real change rather than noise.',
        definition: pChartDefinition(monthly),
        chart: pChart(monthly, { document: doc }),
        rows: p.points.map((pt) => ({ ...pt, centre: p.centre })),
      }),
    );
  },
};
