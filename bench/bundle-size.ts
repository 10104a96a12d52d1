import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

/** BENCHMARKS.md: the dashboard's JS, gzipped, stays within this many KB. */
export const BUNDLE_LIMIT_KB = 250;

/** The bundle a first visit downloads, as the browser receives it (gzip level 9 is what a proxy would send at best). */
export function gzippedJsBytes(dist = path.resolve('dashboard/dist')): number {
  const dir = path.join(dist, 'assets');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length, 0);
}

// `tsx bench/bundle-size.ts` (.ci/run, after the build): prints the size and fails over the limit.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const kb = gzippedJsBytes() / 1024;
  process.stdout.write(`dashboard JS bundle: ${kb.toFixed(1)} KB gzipped (limit ${BUNDLE_LIMIT_KB} KB)\n`);
  if (kb > BUNDLE_LIMIT_KB) process.exit(1);
}
