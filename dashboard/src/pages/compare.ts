import { compareModelDefinition, equityDefinition, funnelDefinition } from '../chart-definitions';
import { equityChart, equityRows } from '../charts/equity';
import { funnelChart, funnelRows, unitTable } from '../charts/funnel';
import { modelRows, modelTable } from '../charts/model-table';
import { num } from '../format';
import { compareParams } from '../state';
import type { AdjustedComparison, EquityComparison } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

export interface CompareData {
  adjusted: AdjustedComparison;
  race: EquityComparison;
  ethnicity: EquityComparison;
}

function expect<K extends 'adjusted' | 'equity'>(kind: K) {
  return (body: AdjustedComparison | EquityComparison) => {
    if (body.kind !== kind) throw new Error(`The server answered a ${body.kind} comparison where ${kind} was asked for.`);
    return body as Extract<AdjustedComparison | EquityComparison, { kind: K }>;
  };
}

const OUTCOME_LABELS: Record<string, string> = {
  completion: 'completion', positive_discharge: 'positive discharge', engagement: 'engagement (IET)', remission: 'remission at discharge', abstinence: 'abstinence in the last 28 days',
  'dep-rem-6': 'depression remission at 6 months (DEP-REM-6)', 'dep-rem-12': 'depression remission at 12 months (DEP-REM-12)', 'dep-resp-6': 'depression response at 6 months (DEP-RESP-6)',
  mbc: 'measured in 80% of weeks (MBC)', iet: 'IET engagement', niatx: 'continuation to a 4th session (NIATx)', 'i-serv': 'first service within 10 business days (I-SERV)',
  'followup-6m': 'six-month follow-up completed (GPRA)',
};

/** A standard measure's episodes outside its denominator (docs/comparisons.md "Standard measures"), or nothing for other outcomes. */
export function outsideDenominator(notes: { excluded?: number | null; window_open?: number | null } | undefined): string {
  if (notes?.excluded === undefined) return '';
  const count = (v: number | null | undefined) => (v === null || v === undefined ? 'withheld (small-cell rule)' : num(v));
  return ` Outside the measure’s denominator and left out: ${count(notes.excluded)} excluded, ${count(notes.window_open)} whose window is still open.`;
}

/** Case-mix adjusted O/E by unit, and the equity view by race and ethnicity (docs/comparisons.md). The API scopes a viewer to its tracks. */
export const comparePage: PageModule<CompareData> = {
  title: 'Compare',
  load: async (api, state) => {
    const outcome = state.compareOutcome;
    const [adjusted, race, ethnicity] = await Promise.all([
      api.compare(outcome, compareParams(state, state.compareBy)).then(expect('adjusted')),
      api.compare(outcome, compareParams(state, 'race')).then(expect('equity')),
      api.compare(outcome, compareParams(state, 'ethnicity')).then(expect('equity')),
    ]);
    return { adjusted, race, ethnicity };
  },
  view(data, ctx) {
    const doc = ctx.doc;
    const a = data.adjusted;
    const outcome = OUTCOME_LABELS[a.comparison] ?? a.comparison;
    const covariates = a.adjust_for.length > 0 ? a.adjust_for.join(', ') : 'nothing (crude rates)';
    const equity = (d: EquityComparison, label: string) => chartCard(doc, {
      name: `equity-${d.by}`,
      title: `${outcome[0]?.toUpperCase() ?? ''}${outcome.slice(1)} by ${label}`,
      howTo: `Left: each group’s rate with its 95% CI. Right: its ratio to the largest group${d.reference ? ` (${d.reference})` : ''}, with the Katz 95% CI; 1 means the same rate. Unadjusted on purpose.`,
      definition: equityDefinition(d),
      chart: equityChart(d, { document: doc }),
      rows: equityRows(d),
    });
    return pageSection(
      doc,
      'Fair comparisons',
      `${outcome[0]?.toUpperCase() ?? ''}${outcome.slice(1)} by ${a.by}, adjusted for ${covariates}, as of ${a.as_of}. An outlier is a prompt to look, not a verdict.${outsideDenominator(a.notes)}`,
      chartCard(doc, {
        name: 'funnel',
        title: `Observed / expected ${outcome} by ${a.by}`,
        howTo: 'Each dot is a unit: O/E above 1 means more outcomes than its case mix predicts. Small units scatter widely by chance, so the limits widen to the left; a dot outside the solid 99.8% limits is unlikely to be chance alone.',
        definition: funnelDefinition(a),
        chart: funnelChart(a, { document: doc }),
        rows: funnelRows(a),
        below: unitTable(a, { document: doc }),
      }),
      chartCard(doc, {
        name: 'model',
        title: 'Case-mix model',
        howTo: 'The logistic regression that gives each episode its expected probability; the c-statistic says how well the covariates separate the outcomes (0.5 = not at all).',
        definition: compareModelDefinition(a),
        chart: modelTable(a.model, { document: doc }),
        rows: modelRows(a.model),
      }),
      equity(data.race, 'race'),
      equity(data.ethnicity, 'ethnicity'),
    );
  },
};
