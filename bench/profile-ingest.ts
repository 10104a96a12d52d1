/**
 * Profiles one ingest in-process, for `--cpu-prof`: `DATABASE_URL=… IOP_TRACE=1 npx tsx
 * bench/profile-ingest.ts <entity> <file>` (the entity's references must be loaded).
 */
import fs from 'node:fs';
import { connect } from '../warehouse/db';
import { ingestCsv } from '../ingest/loader';
import { isEntityName } from '../ingest/entities';

const [entity, file] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (!entity || !file || !url || !isEntityName(entity)) throw new Error('usage: DATABASE_URL=… profile-ingest.ts <entity> <file>');
const wh = connect(url, 2);
const t0 = performance.now();
const s = await ingestCsv(wh, { entity, input: fs.createReadStream(file), sourceName: 'profile' });
process.stderr.write(`${s.status}: +${s.inserted} ~${s.updated} =${s.unchanged} !${s.rejected} in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
await wh.close();
