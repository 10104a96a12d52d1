// The response types the shared chart functions read: `z.infer` of the API's zod schemas, type-only,
// so nothing of the server reaches the browser bundle or the report's renderer.

import type { KmFields, RetentionGroup, SuppressedGroup } from '../metrics/response-schema';

export type {
  AttendanceResponse, CompletionResponse, RelapseResponse, RetentionResponse, SuppressedGroup, SymptomsResponse,
} from '../metrics/response-schema';
export type { Track } from '../api/schemas/catalog';

/** A rate or count that small-cell suppression may have replaced by null. */
export type Maybe<T> = T | null;
/** A confidence interval; the bounds of a median's interval may each be missing. */
export type Interval = NonNullable<KmFields['median_ci']>;

/** What every group, suppressed whole or not, lets a reader see: its key, its size and what is suppressed. */
export type GroupBase = Pick<SuppressedGroup, 'key'> & Partial<Pick<RetentionGroup, 'n' | 'suppressed'>>;
