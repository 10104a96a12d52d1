import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where ingest keeps its temporary files (spooled uploads, quarantined rows, FHIR
 * spools): one private folder per OS user, `<tmpdir>/iop-ingest-<uid>/` (mode 0700,
 * files 0600: they hold patient rows). Every entry is named `<pid>-<kind>-<id>`, so
 * what a killed process left behind is recognisable by its dead owner and swept at the
 * next start (docs/operations.md "Temporary files").
 */
let swept = false;

/** The folder, created if needed and checked to be ours; the first call in a process sweeps it. */
export function ingestTempDir(): string {
  const dir = path.join(os.tmpdir(), `iop-ingest-${process.getuid?.() ?? 'user'}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  // /tmp is shared: a folder (or link) another user planted there must not receive our files.
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new Error(`${dir} is not a directory owned by this user; remove it or set TMPDIR`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  if (!swept) {
    swept = true;
    sweepDir(dir);
  }
  return dir;
}

/** A fresh path in the folder for this process: `<pid>-<kind>-<id><ext>`. */
export function tempPath(kind: string, ext = '', id: string = crypto.randomUUID()): string {
  return path.join(ingestTempDir(), `${process.pid}-${kind}-${id}${ext}`);
}

/** A fresh private directory in the folder for this process. */
export function tempDirectory(kind: string): string {
  return fs.mkdtempSync(path.join(ingestTempDir(), `${process.pid}-${kind}-`));
}

/**
 * Removes what dead processes left: entries whose pid is not running, and entries of
 * our own pid older than this process (a restart that got the same pid, as a
 * container's pid 1 does). A live process's files are kept.
 */
export function sweepIngestTemp(): string[] {
  swept = true;
  return sweepDir(ingestTempDir());
}

const PROCESS_START_MS = Date.now() - process.uptime() * 1000;

function sweepDir(dir: string): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    const file = path.join(dir, name);
    try {
      if (!isStale(pid, fs.lstatSync(file).mtimeMs)) continue;
      fs.rmSync(file, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Removed meanwhile by its owner, or not ours to remove: the next sweep tries again.
    }
  }
  return removed;
}

function isStale(pid: number, mtimeMs: number): boolean {
  if (pid === process.pid) return mtimeMs < PROCESS_START_MS;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: the pid runs as another user, so it is alive (and not the owner of our folder's files, but we cannot tell).
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
