import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './db-types';

/**
 * The users and their API and session tokens (docs/operations.md "Users, roles and
 * tokens"). Tokens are stored only as hashes; hashing, roles and validation live with
 * the API (api/auth/).
 */
type Executor = Kysely<DB> | Transaction<DB>;

export interface UserRecord {
  username: string;
  role: string;
  tracks: string[] | null;
  /** The sites the user may see; null: every site. */
  sites: string[] | null;
  /** A clinician user's own clinician id (its caseload); null for every other role. */
  clinician_id: string | null;
}

/** Inserts a user and its first API token in one transaction; false when the username is taken. */
export async function insertUserWithToken(db: Kysely<DB>, user: UserRecord & { passwordHash: string | null }, tokenHash: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('users').select('username').where('username', '=', user.username).executeTakeFirst();
    if (existing) return false;
    await tx.insertInto('users').values({ username: user.username, role: user.role, tracks: user.tracks, sites: user.sites, clinician_id: user.clinician_id, password_hash: user.passwordHash }).execute();
    await tx.insertInto('api_tokens').values({ token_hash: tokenHash, username: user.username, kind: 'api' }).execute();
    return true;
  });
}

/** The active user holding this (unrevoked, unexpired) token, or undefined. */
export async function activeUserByTokenHash(db: Executor, tokenHash: string): Promise<UserRecord | undefined> {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.username', 't.username')
    .select(['u.username', 'u.role', 'u.tracks', 'u.sites', 'u.clinician_id'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', sql<Date>`now()`)]))
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

/** An active (not disabled) user with its password hash, or undefined. */
export async function activeUserByName(db: Executor, username: string): Promise<(UserRecord & { password_hash: string | null }) | undefined> {
  return db
    .selectFrom('users')
    .select(['username', 'role', 'tracks', 'sites', 'clinician_id', 'password_hash'])
    .where('username', '=', username)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
}

/** Whether the warehouse holds this clinician (`users add --clinician`). */
export async function clinicianExists(db: Executor, clinicianId: string): Promise<boolean> {
  return (await db.selectFrom('clinicians').select('clinician_id').where('clinician_id', '=', clinicianId).executeTakeFirst()) !== undefined;
}

export async function insertSessionToken(db: Executor, username: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.insertInto('api_tokens').values({ token_hash: tokenHash, username, kind: 'session', expires_at: expiresAt }).execute();
}

/** Revokes a session token (API tokens are left alone). */
export async function revokeSessionToken(db: Executor, tokenHash: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('kind', '=', 'session')
    .where('revoked_at', 'is', null)
    .execute();
}
