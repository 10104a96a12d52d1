import fs from 'node:fs';
import path from 'node:path';
import type { Warehouse } from '../../warehouse/db';
import { FileError, sha256OfStream } from '../csv-source';
import { ingestCsv, type IngestSummary } from '../loader';
import type { FolderSource } from './config';
import { FAILED_DIR, moveTo, PROCESSED_DIR, readyFiles } from './folder-scan';

export interface FolderFileResult {
  file: string;
  status: 'committed' | 'duplicate' | 'failed';
  batch_id: string | null;
  error: string | null;
}

export interface FolderRunResult {
  files: FolderFileResult[];
  batches: number;
  failed: number;
}

/**
 * One pass over a drop folder: each ready file is one batch through the CSV loader,
 * unchanged. A file moves to `processed/` only after its batch committed (or was a
 * duplicate of a committed one) and to `failed/` after a whole-file failure, so a crash
 * leaves every file either ingested or still pending; a pending file that was in fact
 * committed is recognised by its SHA-256 on the next run and reported `duplicate`.
 */
export async function runFolderSource(wh: Warehouse, src: FolderSource, today?: string): Promise<FolderRunResult> {
  if (!fs.existsSync(src.path)) throw new Error(`the drop folder ${src.path} does not exist`);
  const names = await readyFiles({ dir: src.path, patterns: src.patterns, settleMs: src.settle_ms, requireDoneMarker: src.require_done_marker });
  const files: FolderFileResult[] = [];
  for (const name of names) files.push(await ingestFile(wh, src, name, today));
  return { files, batches: files.filter((f) => f.batch_id !== null).length, failed: files.filter((f) => f.status === 'failed').length };
}

async function ingestFile(wh: Warehouse, src: FolderSource, name: string, today: string | undefined): Promise<FolderFileResult> {
  const file = path.join(src.path, name);
  let summary: IngestSummary;
  try {
    const sha256 = await sha256OfStream(fs.createReadStream(file));
    summary = await ingestCsv(wh, {
      entity: src.entity, input: fs.createReadStream(file), sourceName: `${src.name}/${name}`, sha256,
      ...(src.profile ? { profile: src.profile } : {}), ...(today ? { today } : {}),
    });
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    const dest = moveTo(src.path, name, FAILED_DIR);
    fs.writeFileSync(`${dest}.error.txt`, `${e.message}\n`);
    return { file: name, status: 'failed', batch_id: null, error: e.message };
  }
  moveTo(src.path, name, PROCESSED_DIR);
  return { file: name, status: summary.status, batch_id: summary.batch_id, error: null };
}
