import { z } from 'zod';
import { ListFilterEchoShape } from '../filters';
import { OVERDISPERSION } from '../stats/funnel';
import { ADJUSTERS, COMPARE_BY, COMPARE_OUTCOMES } from './request';

/**
 * The comparison responses (docs/comparisons.md "Response") as strict zod schemas: the
 * contract the API declares, the tests parse every body with, and whose `z.infer` types
 * the computation builds. A suppressed numeric field is null and named in `suppressed`; a
 * unit below min_cell is `{key, suppressed: ["all"]}`, never left out.
 */

const num = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();
const suppressedList = z.array(z.string()).optional();

const filters = z.strictObject({
  track: z.array(z.string()).nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  ...ListFilterEchoShape,
  as_of: z.string(),
  instrument: z.string(),
});

const header = {
  comparison: z.enum(COMPARE_OUTCOMES),
  by: z.enum(COMPARE_BY),
  as_of: z.string(),
  min_cell: z.number(),
  filters,
  definition: z.record(z.string(), z.unknown()),
  suppressed: z.boolean(),
};

const coefficient = z.strictObject({
  term: z.string(),
  covariate: z.string().nullable(),
  level: z.string().nullable(),
  estimate: num,
  std_error: num,
  z: num,
  p: num,
  suppressed: suppressedList,
});

export const CompareModelSchema = z.strictObject({
  /** `ok`, or what stopped the fit (then every number is null and `message` says why). */
  status: z.enum(['ok', 'no_data', 'constant_outcome', 'singular', 'separation', 'not_converged']),
  message: z.string().nullable(),
  n: num,
  coefficients: z.array(coefficient),
  reference_levels: z.record(z.string(), z.string().nullable()),
  deviance: num,
  null_deviance: num,
  df_residual: num,
  df_null: num,
  aic: num,
  c_statistic: num,
  iterations: num,
});

const limits = z.strictObject({ lower95: z.number(), upper95: z.number(), lower998: z.number(), upper998: z.number() });
const position = z.enum(['above_99.8', 'above_95', 'within_95', 'below_95', 'below_99.8']);

const unit = z.strictObject({
  key: z.string(),
  n: z.number(),
  observed: num,
  expected: num,
  oe: num,
  oe_ci: interval,
  limits: limits.nullable(),
  position: position.nullable(),
  suppressed: suppressedList,
});
const suppressedUnit = z.strictObject({ key: z.string(), suppressed: z.tuple([z.literal('all')]) });

export const AdjustedComparisonSchema = z.strictObject({
  kind: z.literal('adjusted'),
  ...header,
  adjust_for: z.array(z.enum(ADJUSTERS)),
  overdispersion: z.enum(OVERDISPERSION),
  model: CompareModelSchema,
  funnel: z.strictObject({
    /** φ and τ² from the square-root z-scores of the published and suppressed units alike. */
    phi: num,
    tau2: num,
    /** Whether the limits are widened for overdispersion (requested and φ > 1). */
    adjusted: z.boolean(),
    curve: z.array(z.strictObject({ expected: z.number(), ...limits.shape })),
  }),
  units: z.array(z.union([unit, suppressedUnit])),
  notes: z.strictObject({
    episodes: z.number(),
    without_baseline: z.number(),
    without_age: z.number(),
    modelled: z.number(),
    /** A standard measure's episodes outside its denominator (null when small). */
    excluded: num.optional(),
    window_open: num.optional(),
  }),
});

const equityGroup = z.strictObject({
  key: z.string(),
  n: z.number(),
  events: num,
  rate: num,
  rate_ci: interval,
  ratio: num,
  ratio_ci: interval,
  suppressed: suppressedList,
});

export const EquityComparisonSchema = z.strictObject({
  kind: z.literal('equity'),
  ...header,
  /** The largest group with a known value: every ratio is to its rate. */
  reference: z.string().nullable(),
  groups: z.array(z.union([equityGroup, suppressedUnit])),
  /** A standard measure's episodes outside its denominator (null when small). */
  notes: z.strictObject({ excluded: num, window_open: num }).optional(),
});

export const ComparisonResponseSchema = z.discriminatedUnion('kind', [AdjustedComparisonSchema, EquityComparisonSchema]);

export type CompareModel = z.infer<typeof CompareModelSchema>;
export type AdjustedComparison = z.infer<typeof AdjustedComparisonSchema>;
export type EquityComparison = z.infer<typeof EquityComparisonSchema>;
export type ComparisonResponse = z.infer<typeof ComparisonResponseSchema>;
export type ComparisonUnit = AdjustedComparison['units'][number];
export type EquityGroupRow = EquityComparison['groups'][number];
