import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FolderSource } from '../../ingest/jobs/config';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `iop-${prefix}-`));
}

/** A patients CSV with `n` rows whose ids start with `prefix`: small, and needing no reference data. */
export function patientsCsv(prefix: string, n = 3): string {
  const rows = Array.from({ length: n }, (_, i) => `${prefix}-${i + 1},${1970 + i},female`);
  return `patient_id,birth_year,sex\n${rows.join('\n')}\n`;
}

export function folderSource(dir: string, extra: Partial<FolderSource> = {}): FolderSource {
  return {
    name: 'drop', kind: 'folder', entity: 'patients', path: dir, patterns: ['*.csv'], schedule: '* * * * *',
    settle_ms: 50, require_done_marker: false, profile: undefined, profilePath: undefined, ...extra,
  };
}

export function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}
