import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { runCli, type BenchContext } from '../context';

/**
 * FHIR R4 NDJSON ingest (issue "Ingest jobs" bar): N PHQ-9 total Observations through
 * `iop ingest fhir` against the same N rows as a canonical assessments CSV through
 * `iop ingest assessments`, both as CLI processes timed in the same run on the same
 * warehouse, with the FHIR process's peak RSS. Dates lie in 1950–… so no row collides with the cohort.
 */
export async function benchFhir(ctx: BenchContext): Promise<void> {
  const n = ctx.data.episodes >= 100_000 ? 1_000_000 : 100_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-bench-fhir-'));
  try {
    const patients = (await sql<{ id: string }>`select patient_id as id from patients order by patient_id limit 2000`.execute(ctx.wh.db)).rows.map((r) => r.id);
    const csvFile = path.join(dir, 'assessments.csv');
    const ndFile = path.join(dir, 'observations.ndjson');
    await writeInputs(csvFile, ndFile, n, patients);

    const csv = await runCli(['ingest', 'assessments', csvFile, '--json'], { ...process.env, DATABASE_URL: ctx.url });
    if (csv.code !== 0) throw new Error(`ingest assessments failed (${csv.code}): ${csv.stdout}`);
    await sql`delete from assessments where administered_on < '1990-01-01'`.execute(ctx.wh.db);

    // The FHIR load runs as the CLI does, in its own process, so its peak RSS is its own.
    const fhir = await runCli(['ingest', 'fhir', ndFile, '--json'], { ...process.env, DATABASE_URL: ctx.url });
    if (fhir.code !== 0) throw new Error(`ingest fhir failed (${fhir.code}): ${fhir.stdout}`);
    const summary = JSON.parse(fhir.stdout) as { batches: { inserted: number }[] };
    const inserted = summary.batches.reduce((s, b) => s + b.inserted, 0);
    if (inserted !== n) throw new Error(`FHIR bench inserted ${inserted} of ${n}`);
    const peak = fhir.maxRssKb * 1024;
    await sql`delete from assessments where administered_on < '1990-01-01'`.execute(ctx.wh.db);

    const csvRate = n / (csv.ms / 1000);
    const fhirRate = n / (fhir.ms / 1000);
    ctx.log(`fhir: ${n} Observations in ${(fhir.ms / 1000).toFixed(1)} s (${fhirRate.toFixed(0)}/s) vs CSV ${(csv.ms / 1000).toFixed(1)} s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`);
    ctx.record({
      measure: `ingest fhir NDJSON (${n.toLocaleString('en-US')} PHQ-9 Observations), rows/s`, value: Math.round(fhirRate), unit: 'rows/s',
      baseline: { name: 'the same rows as an assessments CSV', value: Math.round(csvRate), unit: 'rows/s' },
      ratio: fhirRate / csvRate, target: '≥ 0.5×', met: fhirRate / csvRate >= 0.5,
      command: 'npm run -s iop -- ingest fhir observations.ndjson --json (whole command, including start-up)',
    });
    ctx.record({
      measure: `ingest fhir NDJSON peak RSS (${n.toLocaleString('en-US')} Observations)`, value: Math.round(peak / 2 ** 20), unit: 'MB',
      baseline: { name: 'peak RSS of the same rows through iop ingest assessments', value: Math.round(csv.maxRssKb / 1024), unit: 'MB' },
      ratio: peak / (csv.maxRssKb * 1024), target: 'flat (no more than the CSV path)', met: peak <= csv.maxRssKb * 1024 * 1.1,
      command: `npm run -s iop -- ingest fhir observations.ndjson --json`, note: 'peak RSS of each CLI process (process.resourceUsage().maxRSS)',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function writeInputs(csvFile: string, ndFile: string, n: number, patients: string[]): Promise<void> {
  const csv = fs.createWriteStream(csvFile);
  const nd = fs.createWriteStream(ndFile);
  const put = (s: fs.WriteStream, text: string) => (s.write(text) ? Promise.resolve() : new Promise<void>((r) => s.once('drain', () => r())));
  await put(csv, 'patient_id,instrument,administered_on,total_score\n');
  const day0 = Date.UTC(1950, 0, 1);
  for (let i = 0; i < n; i++) {
    const p = patients[i % patients.length] ?? 'P1';
    const d = new Date(day0 + Math.floor(i / patients.length) * 86_400_000).toISOString().slice(0, 10);
    const score = i % 28;
    await put(csv, `${p},PHQ-9,${d},${score}\n`);
    await put(nd, `${JSON.stringify({ resourceType: 'Observation', id: `o${i}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] }, subject: { reference: `Patient/${p}` }, effectiveDateTime: `${d}T10:00:00Z`, valueInteger: score })}\n`);
  }
  await Promise.all([new Promise((r) => csv.end(r)), new Promise((r) => nd.end(r))]);
}
