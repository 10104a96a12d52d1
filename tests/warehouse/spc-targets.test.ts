import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseSpcTargets } from '../../warehouse/config';

describe('IOP_SPC_TARGETS (docs/metrics.md "SPC charts")', () => {
  it('defaults to the TEDS-D 2004 IOP completion and positive-discharge shares', () => {
    expect(loadConfig({}).spcTargets).toEqual({ completion: 0.377, 'positive-discharge': 0.555 });
  });

  it('adds and replaces targets, and removes one with series=none', () => {
    expect(parseSpcTargets('completion=0.45, attendance=0.85,positive-discharge=none')).toEqual({ completion: 0.45, attendance: 0.85 });
  });

  it.each(['completion', 'completion=abc', 'Completion=0.4', '=0.4', 'completion=0.4;attendance=0.8'])('stops start-up on the malformed entry %j', (raw) => {
    expect(() => loadConfig({ IOP_SPC_TARGETS: raw })).toThrow(ConfigError);
  });
});
