import { outcomeChart, outcomePanels, type OutcomesInput } from '../../charts/overview-outcomes';
import type { AttendanceResponse, CompletionResponse, RelapseResponse, RetentionResponse, SymptomsResponse } from '../../metrics/response-schema';

/** The metric responses by track the overview's small multiples are drawn from. */
export interface OverviewResponses {
  retention: RetentionResponse;
  completion: CompletionResponse;
  /** PHQ-9 when it has baselines in scope; null when no instrument has (the improvement panel is then left out). */
  symptoms: SymptomsResponse | null;
  relapse: RelapseResponse;
  attendance: AttendanceResponse;
}

/** One figure of the report: an SVG drawn by the dashboard's own chart function. */
export interface ReportFigure {
  name: string;
  title: string;
  svg: string;
}

const FIGURE_WIDTH = 460;

/**
 * The overview's headline outcomes as static SVG, drawn on the server by the same chart functions the
 * dashboard's overview draws in the browser (charts/overview-outcomes.ts), in a jsdom document: the
 * same bars, CIs and "<min_cell" markers, no script in the page. jsdom is loaded on the first report only.
 */
export async function reportFigures(r: OverviewResponses, tracks: OutcomesInput['tracks']): Promise<ReportFigure[]> {
  const { JSDOM } = await import('jsdom');
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  try {
    // A placeholder for a missing symptoms response: its panel is dropped below.
    const symptoms = r.symptoms ?? ({ ...r.completion, metric: 'symptoms', groups: [] } as unknown as SymptomsResponse);
    const panels = outcomePanels({ ...r, symptoms, tracks }).filter((p) => r.symptoms !== null || p.name !== 'overview-improvement');
    return panels.map((panel) => {
      const chart = outcomeChart(panel, r.retention.min_cell, { document: window.document, width: FIGURE_WIDTH, ariaLabel: `${panel.title} by track` });
      const svg = chart.nodeName.toLowerCase() === 'svg' ? chart : chart.querySelector('svg');
      svg?.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
      svg?.setAttribute('role', 'img');
      return { name: panel.name, title: panel.title, svg: (svg ?? chart).outerHTML };
    });
  } finally {
    window.close();
  }
}
