import { DISCHARGE_REASONS, POSITIVE_REASONS } from '../../warehouse/rules';
import { AS_OF, intervalWords, list, spoken, suppressionText } from '../definition-text';
import { suppressionRule } from '../response';

/** The rules of a completion response (docs/metrics.md "Completion"), from warehouse/rules.ts. */
function completionRules(minCell: number) {
  return {
    denominator: 'episodes discharged on or before as_of',
    completion_rate: 'completed / discharged',
    positive_discharge_rate: 'discharge reason completed or transferred / discharged (TEDS-D)',
    positive_reasons: [...POSITIVE_REASONS],
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    los: { unit: 'days', formula: 'discharged_on - admitted_on', quantiles: 'R type 7 (d3 quantile; PostgreSQL percentile_cont)' },
    reasons: [...DISCHARGE_REASONS],
    suppression: suppressionRule(minCell),
  };
}

/** The completion rules in plain sentences, each list read from the rules object. */
export function completionText(d: ReturnType<typeof completionRules>) {
  return {
    denominator: `Denominator: episodes discharged on or before ${AS_OF}.`,
    completion_rate: 'Completion rate = completed / discharged.',
    positive_discharge_rate: `Positive discharge rate = (${d.positive_reasons.map(spoken).join(' + ')}) / discharged, the TEDS-D convention (SAMHSA Treatment Episode Data Set – Discharges).`,
    ci: `Each rate carries a ${intervalWords(d.ci)}.`,
    los: `Length of stay: the ${d.los.unit} from admission to discharge; median and quartiles as R’s type 7 quantile computes them.`,
    reasons: `Discharges are counted per reason: ${list(d.reasons.map(spoken), 'and')}.`,
    suppression: suppressionText(d.suppression),
  };
}

/** The `definition` block of a completion response: the rules, and the same rules as `text`. */
export function completionDefinition(minCell: number) {
  const rules = completionRules(minCell);
  return { ...rules, text: completionText(rules) };
}

export type CompletionTextPart = keyof ReturnType<typeof completionText>;
