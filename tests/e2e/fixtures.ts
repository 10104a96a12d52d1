/** What the global setup hands the tests (vitest provide/inject). */
export interface E2eUser {
  username: string;
  password: string;
  token: string;
}

export interface E2eUsers {
  admin: E2eUser;
  /** A viewer limited to the `day` track. */
  viewer: E2eUser;
  analyst: E2eUser;
}

/**
 * The demo's size (`iop demo`): small enough to load in seconds, large enough that the
 * screenshots in docs/img show numbers rather than a table of suppressed cells.
 */
export const E2E_EPISODES = 2000;

/**
 * The cohort's as-of is today (UTC), as in `iop demo`: the API's default as-of is today, and
 * a cohort that ended months ago would turn every open episode into a lost-to-follow-up
 * dropout. Admissions fall in the two years before it.
 */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The first and last day of the calendar month `monthsBack` months before `asOf`. */
export function monthBefore(asOf: string, monthsBack: number): { from: string; to: string } {
  const d = new Date(`${asOf}T00:00:00Z`);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/** The charts of each page (data-testid="chart-<name>"), in page order. */
export const PAGE_CHARTS = {
  overview: ['overview-retention-30', 'overview-retention-planned', 'overview-completion', 'overview-improvement', 'overview-abstinence', 'overview-engagement', 'overview'],
  retention: ['km-retention', 'discharge-reasons'],
  symptoms: ['trajectory', 'jt-classes', 'jt-scatter'],
  relapse: ['abstinence-by-week', 'relapse-rate', 'km-relapse'],
  attendance: ['attendance-by-week', 'iet', 'p-chart'],
  measures: ['measure-dep-rem-6', 'measure-labels-dep-rem-6', 'measure-dep-resp-6', 'measure-labels-dep-resp-6'],
  // The label breakdown of the Follow-up page is a table (tests/dashboard/followup.test.ts), not a chart.
  followup: ['followup-rate', 'noms'],
} as const;

export type PageName = keyof typeof PAGE_CHARTS;
export const PAGE_NAMES = Object.keys(PAGE_CHARTS) as PageName[];
