import { ATTENDANCE } from './attendance';
import { COMPLETION } from './completion';
import type { MetricFamily } from './family';
import { RELAPSE } from './relapse';
import { RETENTION } from './retention';
import { SYMPTOMS } from './symptoms';
import type { MetricName } from './types';

/**
 * Every metric family, by name: the registry the CLI (`iop metrics <name>`), the API
 * routes and their OpenAPI entries, the source decision and the docs test read. A new
 * family is its folder plus one line here (docs/architecture.md).
 */
export const FAMILIES: { readonly [M in MetricName]: MetricFamily<M> } = {
  retention: RETENTION,
  completion: COMPLETION,
  attendance: ATTENDANCE,
  symptoms: SYMPTOMS,
  relapse: RELAPSE,
};
