import { groupLabel, isFieldSuppressed, isGroupSuppressed, pct, shownGroup, suppressedText, suppressionExplanation } from '../format';
import type { SymptomsResponse } from '../types';

export interface CompletenessRow {
  group: string;
  with_baseline: number | null;
  paired: number | null;
  completeness: number | null;
  suppressed: boolean;
}

export function completenessRows(data: SymptomsResponse): CompletenessRow[] {
  return data.groups.map((g) => {
    const shown = shownGroup(g);
    return {
      group: groupLabel(g.key),
      with_baseline: shown?.with_baseline ?? null,
      paired: shown?.paired ?? null,
      completeness: shown?.completeness ?? null,
      suppressed: isGroupSuppressed(g) || isFieldSuppressed(g, 'completeness') || isFieldSuppressed(g, 'paired'),
    };
  });
}

/** Completeness = paired / episodes with a baseline (docs/metrics.md), listed beside each symptom chart. */
export function completenessList(data: SymptomsResponse, doc: Document = document): HTMLElement {
  const box = doc.createElement('div');
  box.className = 'completeness';
  const heading = doc.createElement('p');
  heading.className = 'completeness-title';
  heading.textContent = 'Completeness (paired / with baseline)';
  const list = doc.createElement('ul');
  for (const r of completenessRows(data)) {
    const li = doc.createElement('li');
    if (r.suppressed) {
      const abbr = doc.createElement('abbr');
      abbr.className = 'suppressed';
      abbr.textContent = suppressedText(data.min_cell);
      abbr.title = suppressionExplanation(data.min_cell);
      li.append(`${r.group}: `, abbr);
    } else {
      li.textContent = `${r.group}: ${pct(r.completeness, 0)} (${r.paired ?? '–'} of ${r.with_baseline ?? '–'})`;
    }
    list.append(li);
  }
  box.append(heading, list);
  return box;
}
