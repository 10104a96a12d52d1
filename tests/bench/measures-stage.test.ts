import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONSTANT_MS, meetsBar, ONE_WAY, registeredMeasures, strataRequest, TWO_WAY } from '../../bench/stages/measures';
import { MEASURES, parseMeasureRequest } from '../../metrics/measures/index';

/** The measures bench stage (bench/stages/measures.ts): which measures it times and its bar. No timing here. */
describe('measures bench stage', () => {
  it('benches every measure of the registry, so a newly registered measure is picked up without editing the stage', () => {
    const registered = Object.entries(MEASURES).filter(([, spec]) => spec !== undefined).map(([name]) => name);
    expect(registeredMeasures()).toEqual(expect.arrayContaining(registered));
    expect(registeredMeasures()).toHaveLength(registered.length);
    expect(registeredMeasures()).toContain('dep-rem-6');
  });

  it('holds each measure to 2× count(*) plus 50 ms, inclusive', () => {
    expect(CONSTANT_MS).toBe(50);
    expect(meetsBar(70, 10)).toBe(true);
    expect(meetsBar(70.1, 10)).toBe(false);
    expect(meetsBar(50, 0)).toBe(true);
  });

  it('times two-way strata when the request parser accepts them, else group_by=period, and says which', () => {
    const twoWayAccepted = parseMeasureRequest('dep-rem-6', { as_of: '2026-11-01', group_by: TWO_WAY }).ok;
    const s = strataRequest('dep-rem-6', '2026-11-01');
    expect(s.twoWay).toBe(twoWayAccepted);
    expect(s.groupBy).toBe(twoWayAccepted ? TWO_WAY : ONE_WAY);
    expect(s.request.spec.name).toBe('dep-rem-6');
  });

  it('is a stage of npm run bench, selectable with --only measures', () => {
    const run = fs.readFileSync('bench/run.ts', 'utf8');
    expect(run).toMatch(/const STAGES = \[[^\]]*'measures'[^\]]*\]/);
    expect(run).toContain("if (only.has('measures')) await benchMeasures(ctx);");
  });
});
