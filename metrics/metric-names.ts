/**
 * The metric families (docs/metrics.md). A module of its own so that code needing only
 * the names does not load the response schemas (./response-schema.ts): the schemas
 * register their OpenAPI ids when first loaded, and the order of the document's
 * components follows that load order.
 */
export const METRIC_NAMES = ['retention', 'completion', 'attendance', 'symptoms', 'relapse'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
