import fs from 'node:fs';
import { z } from 'zod';

/**
 * Header profiles (docs/formats.md "Header profiles"): map an EHR export's headers, date layout and codes
 * onto the canonical columns. Validated strictly, so a typo in a profile is an error
 * rather than a silently unmapped column.
 */
export const ProfileSchema = z.strictObject({
  columns: z.record(z.string().min(1), z.string().min(1)).default({}),
  date_format: z
    .string()
    .regex(/^(excel|YYYY-MM-DD|(?=.*YYYY)(?=.*M)(?=.*D)[YMD./\- ]+)$/i, 'must be "excel" or a layout of YYYY, MM/M and DD/D, e.g. "MM/DD/YYYY"')
    .nullable()
    .default(null),
  values: z.record(z.string().min(1), z.record(z.string(), z.string())).default({}),
  defaults: z.record(z.string().min(1), z.string()).default({}),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const EMPTY_PROFILE: Profile = { columns: {}, date_format: null, values: {}, defaults: {} };

export class ProfileError extends Error {
  override name = 'ProfileError';
}

export function parseProfile(json: unknown, source: string, canonical: readonly string[]): Profile {
  const parsed = ProfileSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ProfileError(`Invalid header profile ${source}: ${details}`);
  }
  const p = parsed.data;
  const known = new Set(canonical);
  const bad = [
    ...Object.values(p.columns).filter((c) => !known.has(c.toLowerCase())).map((c) => `columns maps to unknown column "${c}"`),
    ...Object.keys(p.values).filter((c) => !known.has(c.toLowerCase())).map((c) => `values names unknown column "${c}"`),
    ...Object.keys(p.defaults).filter((c) => !known.has(c.toLowerCase())).map((c) => `defaults names unknown column "${c}"`),
  ];
  if (bad.length) throw new ProfileError(`Invalid header profile ${source}: ${bad.join('; ')}. Known columns: ${canonical.join(', ')}`);
  return p;
}

export function loadProfile(file: string, canonical: readonly string[]): Profile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileError(`Cannot read header profile ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`Header profile ${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseProfile(json, file, canonical);
}
