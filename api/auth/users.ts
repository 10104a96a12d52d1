import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../warehouse/db-types';
import { activeUserByName, activeUserByTokenHash, clinicianExists, insertSessionToken, insertUserWithToken, revokeSessionToken } from '../../warehouse/users';
import { hashPassword } from './password';
import { hashToken, newToken } from './tokens';

type Executor = Kysely<DB> | Transaction<DB>;

export const ROLES = ['admin', 'analyst', 'viewer', 'clinician'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who a request acts as. `tracks` null means every track, `sites` null every site
 * (api/README.md roles); `clinician_id` is set exactly for the clinician role: the
 * clinician whose caseload (episodes with that clinician_id) the user reads.
 */
export interface AuthUser {
  readonly username: string;
  readonly role: Role;
  readonly tracks: readonly string[] | null;
  readonly sites: readonly string[] | null;
  readonly clinician_id?: string | null;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const TRACK = /^[A-Za-z0-9][A-Za-z0-9 _.\-/+]{0,63}$/;

export const NewUserSchema = z.strictObject({
  username: z.string().regex(USERNAME, 'username: 1-64 letters, digits and . _ @ - (starting with a letter or digit)'),
  role: z.enum(ROLES),
  tracks: z.array(z.string().regex(TRACK, 'track codes hold letters, digits, space and _ . - / +')).min(1).max(100).nullable(),
  sites: z.array(z.string().regex(TRACK, 'site codes hold letters, digits, space and _ . - / +')).min(1).max(100).nullable().default(null),
  password: z.string().min(12, 'the password must have at least 12 characters').max(1024).nullable(),
  clinician_id: z.string().regex(TRACK, 'clinician ids hold letters, digits, space and _ . - / +').nullable().default(null),
}).refine((u) => u.role !== 'viewer' || u.tracks !== null, {
  message: 'a viewer must be limited to its tracks (--tracks a,b)',
  path: ['tracks'],
}).refine((u) => (u.role === 'clinician') === (u.clinician_id !== null), {
  message: 'a clinician user needs --clinician ID, and only a clinician user takes one',
  path: ['clinician_id'],
});
export type NewUser = z.input<typeof NewUserSchema>;

export class UserExistsError extends Error {
  override name = 'UserExistsError';
}

/** `--clinician` names a clinician the warehouse does not hold. */
export class UnknownClinicianError extends Error {
  override name = 'UnknownClinicianError';
}

function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** Creates the user and its first API token; the token is returned once and stored only as a hash. */
export async function createUser(db: Kysely<DB>, input: NewUser): Promise<AuthUser & { token: string }> {
  const user = NewUserSchema.parse(input);
  const passwordHash = user.password === null ? null : await hashPassword(user.password);
  const token = newToken();
  const tracks = user.tracks === null ? null : [...new Set(user.tracks)].sort();
  const sites = user.sites === null ? null : [...new Set(user.sites)].sort();
  if (user.clinician_id !== null && !(await clinicianExists(db, user.clinician_id))) {
    throw new UnknownClinicianError(`clinician ${user.clinician_id} is not in the warehouse (ingest it with the clinicians entity first)`);
  }
  const created = await insertUserWithToken(db, { username: user.username, role: user.role, tracks, sites, clinician_id: user.clinician_id, passwordHash }, hashToken(token));
  if (!created) throw new UserExistsError(`user ${user.username} already exists`);
  return { username: user.username, role: user.role, tracks, sites, clinician_id: user.clinician_id, token };
}

/** The active user holding this (unrevoked, unexpired) token, or null. */
export async function userByToken(db: Executor, token: string): Promise<AuthUser | null> {
  return userByTokenHash(db, hashToken(token));
}

export async function userByTokenHash(db: Executor, tokenHash: string): Promise<AuthUser | null> {
  const row = await activeUserByTokenHash(db, tokenHash);
  if (!row || !isRole(row.role)) return null;
  return { username: row.username, role: row.role, tracks: row.tracks, sites: row.sites, clinician_id: row.clinician_id };
}

/** The stored password hash of an active user, for sign-in; null when unknown or disabled. */
export async function loginCandidate(db: Executor, username: string): Promise<{ user: AuthUser; passwordHash: string | null } | null> {
  const row = await activeUserByName(db, username);
  if (!row || !isRole(row.role)) return null;
  return { user: { username: row.username, role: row.role, tracks: row.tracks, sites: row.sites, clinician_id: row.clinician_id }, passwordHash: row.password_hash };
}

export async function createSession(db: Executor, username: string, ttlSeconds: number): Promise<string> {
  const token = newToken();
  await insertSessionToken(db, username, hashToken(token), new Date(Date.now() + ttlSeconds * 1000));
  return token;
}

export async function revokeSession(db: Executor, token: string): Promise<void> {
  await revokeSessionToken(db, hashToken(token));
}
