import { snapToMonths } from '../../metrics/disclosure';
import { parseFilters, type MetricFilters } from '../../metrics/filters';
import { HttpError, forbidden } from '../errors';
import type { AuthUser, Role } from './users';

/**
 * Track scoping and the suppression floor (api/README.md roles).
 * - A user with `tracks` set sees only those tracks: asking for another is 403, asking
 *   for none means all of its own.
 * - Viewers (every role below analyst) get the configured min cell. Another `min_cell`
 *   is replaced rather than refused, so a shared dashboard link works for every role;
 *   the response's `min_cell` states the value that was applied.
 */

export type TrackScope = { ok: true; tracks: string[] | null } | { ok: false; outside: string[] };

export function scopeTracks(user: AuthUser, requested: readonly string[] | null): TrackScope {
  if (user.tracks === null) return { ok: true, tracks: requested === null ? null : [...requested] };
  if (requested === null) return { ok: true, tracks: [...user.tracks].sort() };
  const allowed = new Set(user.tracks);
  const outside = requested.filter((t) => !allowed.has(t));
  if (outside.length > 0) return { ok: false, outside };
  return { ok: true, tracks: [...requested] };
}

/** The roles that see exact numbers; every other role, present or future, gets disclosure control. */
const EXACT_ROLES: readonly Role[] = ['admin', 'analyst'];

/**
 * Whether a role's metric answers go through disclosure control (docs/security.md
 * "Disclosure control"): month-snapped dates and counts rounded to base 5. Decided by
 * what the role is not, so a role added below analyst is protected by default.
 */
export function needsDisclosureControl(role: Role): boolean {
  return !EXACT_ROLES.includes(role);
}

/**
 * Roles below analyst get the configured min cell whatever they ask: a threshold they
 * could move would itself difference a count (a group shown at min_cell=k and hidden at
 * k+1 has n = k exactly; docs/security.md "Disclosure control").
 */
export function effectiveMinCell(role: Role, requested: number | null, configured: number): number {
  return needsDisclosureControl(role) ? configured : requested ?? configured;
}

/** Which roles may call a route (the route table of api/README.md). */
export const ACCESS = {
  read: ['admin', 'analyst', 'viewer'],
  lineage: ['admin', 'analyst'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Access = keyof typeof ACCESS;

/**
 * Lineage and admin routes show program-wide rows (rejected rows hold raw source
 * values of every track), so a track-scoped user cannot call them whatever its role.
 */
export function allows(access: Access, user: AuthUser): boolean {
  if (!(ACCESS[access] as readonly Role[]).includes(user.role)) return false;
  return access === 'read' || user.tracks === null;
}

/**
 * A metric request as the user may make it: the filters parsed (400 on a bad one), the
 * tracks scoped (403 outside the user's tracks), the min cell floored by role, and for
 * roles below analyst the dates snapped to whole months (`disclosure`: the caller then
 * protects the answer with metrics/disclosure.ts). The metric routes and the report
 * share it, so both apply the same rules.
 */
export function scopedMetricRequest(user: AuthUser, raw: unknown, configuredMinCell: number): { filters: MetricFilters; minCell: number; disclosure: boolean } {
  const parsed = parseFilters(raw);
  if (!parsed.ok) throw new HttpError(400, parsed.error.error, parsed.error.details);
  const scope = scopeTracks(user, parsed.filters.track);
  if (!scope.ok) throw forbidden(`Track ${scope.outside.join(', ')} is outside your scope`);
  const disclosure = needsDisclosureControl(user.role);
  const filters: MetricFilters = { ...parsed.filters, track: scope.tracks, min_cell: null };
  return {
    filters: disclosure ? snapToMonths(filters) : filters,
    minCell: effectiveMinCell(user.role, parsed.filters.min_cell, configuredMinCell),
    disclosure,
  };
}
