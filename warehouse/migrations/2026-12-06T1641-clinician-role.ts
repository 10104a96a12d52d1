import { sql, type Kysely } from 'kysely';

/**
 * The `clinician` role (docs/security.md "Roles"): a user who reads its own caseload.
 * `users.clinician_id` names the clinician (→ clinicians) whose episodes
 * (`episodes.clinician_id`) the user may see; it is set exactly for clinician users.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop constraint users_role_check`.execute(db);
  await sql`alter table users add constraint users_role_check check (role in ('admin','analyst','viewer','clinician'))`.execute(db);
  await sql`alter table users add column clinician_id text references clinicians (clinician_id)`.execute(db);
  await sql`alter table users add constraint users_clinician_role check ((role = 'clinician') = (clinician_id is not null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop constraint users_clinician_role`.execute(db);
  await sql`alter table users drop column clinician_id`.execute(db);
  await sql`alter table users drop constraint users_role_check`.execute(db);
  await sql`alter table users add constraint users_role_check check (role in ('admin','analyst','viewer'))`.execute(db);
}
