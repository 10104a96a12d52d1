/**
 * Symptom scores over an episode. Each instrument follows an exponential approach from the
 * baseline towards baseline − change (most of the gain in the first month, as in IOP outcome
 * studies), with measurement noise. A negative change is a patient who deteriorates.
 */
import { Rng, clamp } from './prng';

export interface Trajectory {
  baseline: number;
  change: number;
  /** Days to reach about 63% of the change. */
  tau: number;
  noise: number;
  max: number;
}

export function scoreAt(rng: Rng, t: Trajectory, offset: number): number {
  const day = Math.max(0, offset);
  const mean = t.baseline - t.change * (1 - Math.exp(-day / t.tau));
  return Math.round(clamp(rng.normal(mean, t.noise), 0, t.max));
}

/**
 * Splits a total into item scores, each 0..maxItem, summing exactly to the total.
 * @param lightItem an item endorsed less often (PHQ-9 item 9, thoughts of self-harm), or -1.
 */
export function spreadItems(rng: Rng, total: number, count: number, maxItem: number, lightItem: number): number[] {
  const items = new Array<number>(count).fill(0);
  const units = Math.min(total, count * maxItem);
  for (let u = 0; u < units; u++) {
    let i = rng.int(0, count - 1);
    if (i === lightItem && rng.chance(0.7)) i = rng.int(0, count - 2);
    while ((items[i] ?? maxItem) >= maxItem) i = (i + 1) % count;
    items[i] = (items[i] ?? 0) + 1;
  }
  return items;
}

export interface SymptomProfile {
  phq9: Trajectory;
  gad7: Trajectory;
  pcl5: Trajectory | null;
}

/**
 * Baselines mostly in the moderate to severe range (PHQ-9 mean ≈ 15, GAD-7 ≈ 13), as reported
 * for people entering IOP; about one in ten gets worse during treatment.
 * @param effect the track's mean PHQ-9 improvement for a full episode.
 * @param engaged false for patients who leave early, who improve less while they are there.
 */
export function drawSymptoms(rng: Rng, effect: number, engaged: boolean, traumaShare: number): SymptomProfile {
  const phqBase = clamp(rng.normal(15, 5), 3, 27);
  const gadBase = clamp(0.7 * phqBase + rng.normal(2.5, 3), 0, 21);
  const deteriorates = rng.chance(0.1);
  const phqChange = deteriorates
    ? -rng.int(3, 8)
    : effect * (engaged ? 1 : 0.6) * clamp(rng.normal(1, 0.5), -0.2, 2.2);
  const tau = rng.int(14, 35);
  const trauma = rng.chance(traumaShare);
  return {
    phq9: { baseline: phqBase, change: phqChange, tau, noise: 2, max: 27 },
    gad7: { baseline: gadBase, change: 0.75 * phqChange, tau, noise: 1.8, max: 21 },
    pcl5: trauma
      ? { baseline: clamp(rng.normal(47, 12), 20, 80), change: 2.4 * phqChange, tau, noise: 5, max: 80 }
      : null,
  };
}
