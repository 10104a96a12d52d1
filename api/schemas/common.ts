import { z } from 'zod';
import { ROLES } from '../auth/users';

/** Response and request schemas shared by several routes (api/README.md). */

export const ErrorSchema = z.strictObject({
  error: z.string(),
  details: z.array(z.strictObject({ param: z.string().optional(), value: z.unknown().optional(), message: z.string() })),
}).meta({ id: 'Error' });

/** The error responses every authenticated route can give. */
export const AUTH_ERRORS = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema } as const;

export const MeSchema = z.strictObject({
  username: z.string(),
  role: z.enum(ROLES),
  tracks: z.array(z.string()).nullable(),
  sites: z.array(z.string()).nullable().describe('the sites the user is limited to; null: every site'),
  clinician_id: z.string().optional().describe('clinician users only: the clinician whose caseload the user reads'),
}).meta({ id: 'Me' });
export type Me = z.infer<typeof MeSchema>;
export type ApiErrorBody = z.infer<typeof ErrorSchema>;

/** Bounded text for a path or query value: long strings never reach the database. */
export const boundedText = (max: number) => z.string().min(1).max(max);

export const UuidSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a batch id (a UUID)');

/** Query strings carry no body; strictObject turns an unknown parameter into a 400. */
export const NoQuery = z.strictObject({});
