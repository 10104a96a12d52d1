import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobsConfigError, loadJobsConfig, parseJobsConfig } from '../../ingest/jobs/config';
import { tempDir } from './helpers';

// iop.config.json (issue 7): zod-validated, with errors that name the field.
const folder = { name: 'ehr-drop', kind: 'folder', entity: 'attendance', path: 'drop/attendance', schedule: '*/5 * * * *' };
const fhir = { name: 'ehr-fhir', kind: 'fhir', base_url: 'https://fhir.example.org/r4', resource_types: ['Patient', 'Observation'], auth: { bearer_token_env: 'EHR_TOKEN' }, schedule: '0 2 * * *' };

function errorOf(json: unknown): string {
  try {
    parseJobsConfig(json, '/cfg/iop.config.json', {});
  } catch (e) {
    if (e instanceof JobsConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a JobsConfigError');
}

describe('jobs config', () => {
  it('resolves paths against the config folder, applies defaults and reads the bearer token from the named variable', () => {
    const c = parseJobsConfig({ sources: [folder, fhir] }, '/cfg/iop.config.json', { EHR_TOKEN: 'tok' });
    expect(c.sources[0]).toMatchObject({ kind: 'folder', path: '/cfg/drop/attendance', patterns: ['*.csv'], settle_ms: 2000, require_done_marker: false, profile: undefined });
    expect(c.sources[1]).toMatchObject({ kind: 'fhir', bearerToken: 'tok' });
  });

  it('names each bad field: entity, cron schedule, URL, duplicate names, unknown keys', () => {
    const msg = errorOf({ sources: [
      { ...folder, entity: 'visits' },
      { ...folder, name: 'second', schedule: 'nightly' },
      { ...fhir, base_url: 'ftp://x' },
      { ...fhir, discharge_map: { home: 'went_home' } },
      { ...folder, pattern: '*.csv' },
    ] });
    expect(msg).toMatch(/sources\.0\.entity/);
    expect(msg).toMatch(/sources\.1\.schedule: is not a cron expression/);
    expect(msg).toMatch(/sources\.2\.base_url/);
    expect(msg).toMatch(/sources\.3\.discharge_map\.home/);
    expect(msg).toMatch(/sources\.4.*pattern/);
    expect(errorOf({ sources: [fhir, fhir] })).toMatch(/sources\.1\.name: "ehr-fhir" is used by another source/);
    expect(errorOf({ sources: [{ ...folder, kind: 'sftp' }] })).toMatch(/sources\.0\.kind/);
  });

  it('validates a header profile with the config', () => {
    const dir = tempDir('cfg');
    fs.writeFileSync(path.join(dir, 'profile.json'), JSON.stringify({ columns: { 'Appt Date': 'appointment_day' } }));
    fs.writeFileSync(path.join(dir, 'iop.config.json'), JSON.stringify({ sources: [{ ...folder, profile: 'profile.json' }] }));
    expect(() => loadJobsConfig(path.join(dir, 'iop.config.json'), {})).toThrow(/source "ehr-drop":.*appointment_day/);
  });

  it('reports a file that is not JSON', () => {
    const dir = tempDir('cfg');
    fs.writeFileSync(path.join(dir, 'iop.config.json'), 'sources:\n  - name: x\n');
    expect(() => loadJobsConfig(path.join(dir, 'iop.config.json'), {})).toThrow(/is not valid JSON/);
  });
});
