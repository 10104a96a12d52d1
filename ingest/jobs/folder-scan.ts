import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { globToRegExp } from './glob';

export const DONE_SUFFIX = '.done';
export const PROCESSED_DIR = 'processed';
export const FAILED_DIR = 'failed';

export interface ScanOptions {
  dir: string;
  patterns: readonly string[];
  settleMs: number;
  requireDoneMarker: boolean;
}

interface Seen {
  size: number;
  mtimeMs: number;
}

/**
 * The files of a drop folder that are complete: those with a `<file>.done` marker, and
 * (unless markers are required) those whose size and mtime did not change across two
 * polls `settleMs` apart. A file still being written (e.g. by SFTP) is left for a later run.
 */
export async function readyFiles(o: ScanOptions): Promise<string[]> {
  const matchers = o.patterns.map(globToRegExp);
  const first = scan(o.dir, matchers);
  const marked = (name: string) => fs.existsSync(path.join(o.dir, `${name}${DONE_SUFFIX}`));
  const unmarked = [...first.keys()].filter((n) => !marked(n));
  let second = first;
  if (!o.requireDoneMarker && unmarked.length > 0 && o.settleMs > 0) {
    await sleep(o.settleMs);
    second = scan(o.dir, matchers);
  }
  const ready = [...first.entries()].filter(([name, a]) => {
    if (marked(name)) return true;
    if (o.requireDoneMarker) return false;
    const b = second.get(name);
    return o.settleMs > 0 && b !== undefined && b.size === a.size && b.mtimeMs === a.mtimeMs;
  });
  // Oldest first, so files are ingested in the order they were dropped.
  return ready.sort(([an, a], [bn, b]) => a.mtimeMs - b.mtimeMs || an.localeCompare(bn)).map(([name]) => name);
}

function scan(dir: string, matchers: RegExp[]): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || name.startsWith('.') || name.endsWith(DONE_SUFFIX)) continue;
    if (!matchers.some((m) => m.test(name))) continue;
    try {
      const st = fs.statSync(path.join(dir, name));
      out.set(name, { size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // Moved or deleted between readdir and stat: not ready.
    }
  }
  return out;
}

/** Moves a file (and its marker) into `processed/` or `failed/`, never overwriting an earlier file of the same name. */
export function moveTo(dir: string, name: string, sub: string): string {
  const target = path.join(dir, sub);
  fs.mkdirSync(target, { recursive: true });
  let dest = path.join(target, name);
  if (fs.existsSync(dest)) {
    const ext = path.extname(name);
    dest = path.join(target, `${path.basename(name, ext)}.${new Date().toISOString().replace(/[:.]/g, '-')}${ext}`);
  }
  fs.renameSync(path.join(dir, name), dest);
  const marker = path.join(dir, `${name}${DONE_SUFFIX}`);
  if (fs.existsSync(marker)) fs.renameSync(marker, `${dest}${DONE_SUFFIX}`);
  return dest;
}
