import { num } from '../format';
import type { CompareModel } from '../types';
import { dataTable, isNumber } from './common';

// The case-mix model of docs/comparisons.md "The model": its coefficients and fit statistics, or,
// when it could not be fitted, the API's plain-words message instead of any number.

export const WITHHELD_NOTE =
  '– = withheld: a row resting on fewer than min_cell episodes, events or non-events, or a likelihood sum coarsened by disclosure control (docs/comparisons.md, "Suppression and disclosure").';

export interface ModelRow {
  term: string;
  estimate: number | null;
  std_error: number | null;
  z: number | null;
  p: number | null;
}

export function modelRows(model: CompareModel): ModelRow[] {
  return model.coefficients.map((c) => ({ term: c.term, estimate: c.estimate, std_error: c.std_error, z: c.z, p: c.p }));
}

function pText(p: number | null): string {
  if (!isNumber(p)) return '–';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** The model table, or the message saying why there is none; pure (model → element). */
export function modelTable(model: CompareModel, opts: { document?: Document } = {}): HTMLElement {
  const doc = opts.document ?? document;
  const wrap = doc.createElement('div');
  wrap.className = 'model';
  wrap.dataset.status = model.status;
  if (model.status !== 'ok') {
    const p = doc.createElement('p');
    p.className = 'model-message';
    p.setAttribute('role', 'status');
    p.textContent = `The model could not be fitted: ${model.message ?? model.status}. No coefficient, expected count or O/E is shown.`;
    wrap.append(p);
    return wrap;
  }
  const cell = (text: string) => {
    const td = doc.createElement('td');
    td.textContent = text;
    return td;
  };
  const coefficients = dataTable(doc, {
    className: 'model-table',
    caption: 'Logistic regression (IRLS), treatment-coded factors',
    columns: ['Term', 'Estimate', 'SE', 'z', 'p'],
    rows: modelRows(model).map((r) => ({
      label: r.term,
      dataset: { term: r.term },
      cells: [cell(num(r.estimate, 3)), cell(num(r.std_error, 3)), cell(num(r.z, 2)), cell(pText(r.p))],
    })),
  });
  const dfText = (df: number | null) => (isNumber(df) ? ` on ${df} df` : '');
  const fit: [string, string][] = [
    ['Episodes modelled', num(model.n)],
    ['Residual deviance', `${num(model.deviance, 2)}${dfText(model.df_residual)}`],
    ['Null deviance', `${num(model.null_deviance, 2)}${dfText(model.df_null)}`],
    ['AIC', num(model.aic, 2)],
    ['c-statistic', num(model.c_statistic, 3)],
    ['IRLS iterations', num(model.iterations)],
  ];
  const stats = dataTable(doc, { className: 'model-fit', caption: 'Fit', columns: ['Statistic', 'Value'], rows: fit.map(([label, value]) => ({ label, cells: [cell(value)] })) });
  const refs = Object.entries(model.reference_levels).filter(([, level]) => level !== null);
  const notes = doc.createElement('p');
  notes.className = 'model-note';
  const withheld = model.coefficients.some((c) => [c.estimate, c.std_error, c.z, c.p].some((v) => v === null)) ||
    [model.n, model.deviance, model.null_deviance, model.df_residual, model.df_null, model.aic, model.c_statistic, model.iterations].some((v) => v === null);
  notes.textContent = (refs.length > 0 ? `Reference levels: ${refs.map(([k, v]) => `${k} = ${v ?? ''}`).join(', ')}. ` : '') + (withheld ? WITHHELD_NOTE : '');
  wrap.append(coefficients, stats, notes);
  return wrap;
}
