import { describe, expect, it } from 'vitest';
import { classify, rcFromSd, rcThreshold } from '../../metrics/stats/reliable-change';

// Source: cpsyctc/CECPfuns tests/testthat/test-getRCIfromSDandAlpha.R:
// expect_equal(getRCIfromSDandAlpha(7.5, .8, conf = 0.95), 9.296925484568419051357)
// (the Jacobson & Truax 1991 example); tests/reference/published/README.md.
describe('reliable-change threshold', () => {
  it('reproduces CECPfuns: SD 7.5, reliability 0.80 → 9.296925484568419', () => {
    expect(rcFromSd(7.5, 0.8)).toBeCloseTo(9.296925484568419, 13);
  });

  it('uses the instrument RC points when set, even with an SD at hand', () => {
    expect(rcThreshold({ reliableChangePoints: 6, reliability: 0.8, normSd: 7.5 })).toBe(6);
  });

  it('prefers norm_sd to the sample SD of baselines', () => {
    expect(rcThreshold({ reliability: 0.8, normSd: 7.5, baselineSd: 3 })).toBeCloseTo(9.296925484568419, 13);
    expect(rcThreshold({ reliability: 0.8, normSd: null, baselineSd: 7.5 })).toBeCloseTo(9.296925484568419, 13);
  });

  it('is null when neither RC points nor reliability and an SD are available', () => {
    expect(rcThreshold({ reliability: null, normSd: 7.5 })).toBeNull();
    expect(rcThreshold({ reliability: 0.8 })).toBeNull();
    expect(rcThreshold({ reliability: 0.8, baselineSd: 0 })).toBeNull();
  });
});

describe('classify (Jacobson–Truax classes, PHQ-9: RC 6, cutoff 10, lower is better)', () => {
  const phq = { rc: 6, higherIsBetter: false, clinicalCutoff: 10 };

  it('calls a reliable fall from ≥ 10 to < 10 recovered', () => {
    expect(classify({ ...phq, baseline: 18, followup: 9 })).toBe('recovered');
    expect(classify({ ...phq, baseline: 10, followup: 4 })).toBe('recovered');
  });

  it('calls a reliable fall that stays ≥ 10 improved, not recovered', () => {
    expect(classify({ ...phq, baseline: 22, followup: 10 })).toBe('improved');
  });

  it('calls a reliable fall from below the cutoff improved', () => {
    expect(classify({ ...phq, baseline: 9, followup: 2 })).toBe('improved');
  });

  it('counts a change of exactly RC as reliable, and RC − 1 as unchanged', () => {
    expect(classify({ ...phq, baseline: 15, followup: 9 })).toBe('recovered');
    expect(classify({ ...phq, baseline: 15, followup: 10 })).toBe('unchanged');
    expect(classify({ ...phq, baseline: 9, followup: 15 })).toBe('deteriorated');
    expect(classify({ ...phq, baseline: 9, followup: 14 })).toBe('unchanged');
  });

  it('never says recovered without a cutoff', () => {
    expect(classify({ rc: 6, higherIsBetter: false, baseline: 20, followup: 2 })).toBe('improved');
    expect(classify({ rc: 6, higherIsBetter: false, clinicalCutoff: null, baseline: 20, followup: 2 })).toBe('improved');
  });

  it('reverses direction when higher is better, with the clinical side below the cutoff', () => {
    const who5 = { rc: 4, higherIsBetter: true, clinicalCutoff: 13 };
    expect(classify({ ...who5, baseline: 8, followup: 14 })).toBe('recovered');
    expect(classify({ ...who5, baseline: 8, followup: 13 })).toBe('recovered');
    expect(classify({ ...who5, baseline: 13, followup: 20 })).toBe('improved');
    expect(classify({ ...who5, baseline: 20, followup: 15 })).toBe('deteriorated');
    expect(classify({ ...who5, baseline: 20, followup: 17 })).toBe('unchanged');
  });

  it('rejects a non-positive threshold', () => {
    expect(() => classify({ ...phq, rc: 0, baseline: 1, followup: 1 })).toThrow(RangeError);
  });
});
