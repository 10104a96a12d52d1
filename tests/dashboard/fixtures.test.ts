import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { METRIC_RESPONSE_SCHEMAS } from '../../metrics/response-schema';
import { ClinicianSchema, InstrumentSchema, SiteSchema, TrackSchema } from '../../api/schemas/catalog';
import { DimensionValuesSchema } from '../../metrics/dimension-values';
import { MeSchema } from '../../api/schemas/common';
import { AdjustedComparisonSchema, EquityComparisonSchema } from '../../metrics/compare/schema';
import { SpcResponseSchema } from '../../metrics/spc/schema';
import { MeasureResponseSchema } from '../../metrics/measures/schema';
import { ProgressAlertsResponseSchema, ProgressBandsResponseSchema, ProgressEpisodeResponseSchema } from '../../metrics/progress/schema';

/**
 * The dashboard's tests and chart snapshots are drawn from tests/fixtures/api, so every
 * fixture must be a body the API could send: each is parsed with the API's own (strict)
 * response schema. A fixture with no schema below fails too, so a new one cannot skip this.
 */
const dir = path.join(import.meta.dirname, '../fixtures/api');

const SCHEMAS: Record<string, z.ZodType> = {
  'retention.json': METRIC_RESPONSE_SCHEMAS.retention,
  'completion.json': METRIC_RESPONSE_SCHEMAS.completion,
  'completion-monthly.json': METRIC_RESPONSE_SCHEMAS.completion,
  'attendance.json': METRIC_RESPONSE_SCHEMAS.attendance,
  'symptoms.json': METRIC_RESPONSE_SCHEMAS.symptoms,
  'relapse.json': METRIC_RESPONSE_SCHEMAS.relapse,
  'tracks.json': z.array(TrackSchema),
  'instruments.json': z.array(InstrumentSchema),
  'sites.json': z.array(SiteSchema),
  'clinicians.json': z.array(ClinicianSchema),
  'dimension-values.json': DimensionValuesSchema,
  'me.json': MeSchema,
  'me-viewer.json': MeSchema,
  'compare-clinician.json': AdjustedComparisonSchema,
  'compare-race.json': EquityComparisonSchema,
  'compare-ethnicity.json': EquityComparisonSchema,
  'spc-completion.json': SpcResponseSchema,
  'followup-6m.json': MeasureResponseSchema,
  'followup-6m-monthly.json': MeasureResponseSchema,
  'noms.json': MeasureResponseSchema,
  'measure-dep-rem-6.json': MeasureResponseSchema,
  'measure-dep-resp-6-age.json': MeasureResponseSchema,
  'progress-bands.json': ProgressBandsResponseSchema,
  'progress-bands-viewer.json': ProgressBandsResponseSchema,
  'progress-alerts.json': ProgressAlertsResponseSchema,
  'progress-episode.json': ProgressEpisodeResponseSchema,
};

describe('API fixtures of the dashboard tests', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it('each have the API response schema they are checked against', () => {
    expect(files).toEqual(Object.keys(SCHEMAS).sort());
  });

  for (const file of files) {
    it(`${file} parses with the API's response schema`, () => {
      const schema = SCHEMAS[file];
      if (!schema) throw new Error(`no response schema for ${file}`);
      const result = schema.safeParse(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      expect(result.error?.issues ?? []).toEqual([]);
    });
  }

  it('rejects a shape the API never sends (a null interval written as [null, null])', () => {
    const body = JSON.parse(readFileSync(path.join(dir, 'completion.json'), 'utf8')) as { groups: Record<string, unknown>[] };
    const group = body.groups.find((g) => 'n' in g);
    if (!group) throw new Error('completion.json has no full group');
    group.completion_ci = [null, null];
    expect(METRIC_RESPONSE_SCHEMAS.completion.safeParse(body).success).toBe(false);
  });
});
