import pg from 'pg';

/**
 * Set once, before any pool exists: dates stay `YYYY-MM-DD` strings (a JS Date would
 * shift by the time zone), and bigint/numeric come back as numbers because every
 * count we read fits in 2^53.
 */
let installed = false;
export function installTypeParsers(): void {
  if (installed) return;
  installed = true;
  pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
}
