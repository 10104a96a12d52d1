import { snapToMonths } from '../../metrics/disclosure';
import { parseFilters, type ListFilter, type MetricFilters } from '../../metrics/filters';
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
export type SiteScope = { ok: true; sites: string[] | null } | { ok: false; outside: string[] };

/** One rule for tracks and sites: naming a code outside the user's list is refused, naming none means all of its own. */
function scopeCodes(allowed: readonly string[] | null, requested: readonly string[] | null): { ok: true; codes: string[] | null } | { ok: false; outside: string[] } {
  if (allowed === null) return { ok: true, codes: requested === null ? null : [...requested] };
  if (requested === null) return { ok: true, codes: [...allowed].sort() };
  const own = new Set(allowed);
  const outside = requested.filter((t) => !own.has(t));
  if (outside.length > 0) return { ok: false, outside };
  return { ok: true, codes: [...requested] };
}

export function scopeTracks(user: AuthUser, requested: readonly string[] | null): TrackScope {
  const s = scopeCodes(user.tracks, requested);
  return s.ok ? { ok: true, tracks: s.codes } : s;
}

/**
 * A user's site scope, as scopeTracks does for tracks (docs/security.md): the `site`
 * filter of the metrics (a site outside the scope is 403).
 */
export function scopeSites(user: AuthUser, requested: readonly string[] | null): SiteScope {
  const s = scopeCodes(user.sites, requested);
  return s.ok ? { ok: true, sites: s.codes } : s;
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
  read: ['admin', 'analyst', 'viewer', 'clinician'],
  /** Episode-level rows of the expected-recovery model (alerts, an episode's scores): never viewers. */
  episodes: ['admin', 'analyst', 'clinician'],
  lineage: ['admin', 'analyst'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Access = keyof typeof ACCESS;

/**
 * Lineage and admin routes show program-wide rows (rejected rows hold raw source
 * values of every track and site), so a track- or site-scoped user cannot call them
 * whatever its role.
 */
export function allows(access: Access, user: AuthUser): boolean {
  if (!(ACCESS[access] as readonly Role[]).includes(user.role)) return false;
  return access === 'read' || access === 'episodes' || (user.tracks === null && user.sites === null);
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
  return scopeFilters(user, parsed.filters, configuredMinCell);
}

/**
 * A clinician user's caseload (docs/security.md "Roles"): the clinician role reads only
 * the episodes whose clinician_id is its own; every other role has no caseload limit.
 * A clinician account without a clinician id (refused by the users table) sees nothing.
 */
export function caseloadOf(user: AuthUser): { caseload: string } | Record<string, never> {
  if (user.role !== 'clinician') return {};
  if (!user.clinician_id) throw forbidden('Your clinician account names no clinician');
  return { caseload: user.clinician_id };
}

/**
 * The filters an account is limited to (docs/security.md "Scopes"): each a list filter of
 * the metrics whose values the account's list fixes. Asking for a value outside it is
 * 403; asking for none means all of its own. A clinician's caseload is not a list the
 * account may narrow but a limit it cannot see past: caseloadOf applies it.
 */
const ACCOUNT_SCOPES: readonly { filter: 'track' | ListFilter; label: string; allowed: (user: AuthUser) => readonly string[] | null }[] = [
  { filter: 'track', label: 'Track', allowed: (u) => u.tracks },
  { filter: 'site', label: 'Site', allowed: (u) => u.sites },
];

/** The filters with every account scope applied: a value outside one is 403. */
export function applyAccountScopes(user: AuthUser, parsed: MetricFilters): MetricFilters {
  const out: MetricFilters = { ...parsed };
  for (const { filter, label, allowed } of ACCOUNT_SCOPES) {
    const s = scopeCodes(allowed(user), parsed[filter]);
    if (!s.ok) throw forbidden(`${label} ${s.outside.join(', ')} is outside your scope`);
    out[filter] = s.codes;
  }
  return out;
}

/**
 * The access rules every aggregate route applies to its parsed metric filters (the
 * metrics, the report, compare, spc): the account's tracks and sites are forced as
 * filters (403 outside them), the min cell is floored by role, a clinician is limited to
 * its caseload, and for roles below
 * analyst the dates snap to whole months (`disclosure`: the caller then protects the
 * answer with metrics/disclosure.ts).
 */
export function scopeFilters(user: AuthUser, parsed: MetricFilters, configuredMinCell: number): { filters: MetricFilters; minCell: number; disclosure: boolean } {
  const disclosure = needsDisclosureControl(user.role);
  const filters: MetricFilters = { ...applyAccountScopes(user, parsed), min_cell: null, ...caseloadOf(user) };
  return {
    filters: disclosure ? snapToMonths(filters) : filters,
    minCell: effectiveMinCell(user.role, parsed.min_cell, configuredMinCell),
    disclosure,
  };
}

/**
 * Who may read which episode-level rows of the expected-recovery model (docs/security.md
 * "Roles"): the alerts list and one episode's scores. Viewers never reach here (route
 * access `episodes`). A site-scoped account is refused, as for the metrics; a
 * track-scoped one sees its tracks; a clinician sees only its own caseload, and naming
 * another clinician is 403.
 */
export function scopeProgressRequest(user: AuthUser, requested: { track: readonly string[] | null; clinician: readonly string[] | null }): { track: string[] | null; clinician: string[] | null } {
  if (user.sites !== null) throw forbidden(`Your account is limited to sites ${user.sites.join(', ')}, and alerts cannot be limited to a site yet`);
  const tracks = scopeTracks(user, requested.track);
  if (!tracks.ok) throw forbidden(`Track ${tracks.outside.join(', ')} is outside your scope`);
  const own = caseloadOf(user).caseload;
  if (own === undefined) return { track: tracks.tracks, clinician: requested.clinician ? [...requested.clinician] : null };
  const others = (requested.clinician ?? []).filter((c) => c !== own);
  if (others.length > 0) throw forbidden(`Clinician ${others.join(', ')} is outside your caseload`);
  return { track: tracks.tracks, clinician: [own] };
}

/** Whether the user may read this episode's rows (scopeProgressRequest's rules for one episode). */
export function mayReadEpisode(user: AuthUser, episode: { track_code: string; clinician_id: string | null }): boolean {
  if (user.sites !== null) return false;
  if (user.tracks !== null && !user.tracks.includes(episode.track_code)) return false;
  const own = caseloadOf(user).caseload;
  return own === undefined || episode.clinician_id === own;
}
