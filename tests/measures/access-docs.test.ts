import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTINUATION_SESSION, ISERV_BUSINESS_DAYS, MBC_MEASURED_SHARE } from '../../warehouse/measure-rules';
import { FEDERAL_HOLIDAYS } from '../../metrics/calendar/business-days';
import { MEASURES } from '../../metrics/measures/registry';
import { ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS, INITIATION_DAYS } from '../../warehouse/rules';

const DOC = readFileSync(new URL('../../docs/measures.md', import.meta.url), 'utf8');
const OPERATIONS = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

/** The section of docs/measures.md about one measure: from its heading to the next one. */
function section(name: string): string {
  const start = DOC.indexOf(`(\`${name}\`)`);
  if (start < 0) throw new Error(`docs/measures.md has no section for ${name}`);
  const next = DOC.indexOf('\n## ', start);
  return DOC.slice(start, next < 0 ? undefined : next);
}

describe('docs/measures.md states the rules the access and MBC measures compute with', () => {
  it('names every label of each measure in its section', () => {
    for (const name of ['iet', 'niatx', 'i-serv', 'mbc'] as const) {
      const spec = MEASURES[name];
      if (!spec) throw new Error(`${name} is not registered`);
      for (const label of spec.labels) expect(section(name), `${name}: ${label}`).toContain(`\`${label}\``);
      for (const rate of Object.keys(spec.rates ?? {})) expect(section(name)).toContain(`\`rates.${rate}\``);
    }
  });

  it('states each window and threshold with the value of the constants', () => {
    expect(section('iet')).toContain(`days 0 to ${INITIATION_DAYS} after the index date (\`initiation_days\` = ${INITIATION_DAYS})`);
    expect(section('iet')).toContain(`at least ${ENGAGEMENT_SESSIONS} further distinct days (\`engagement_sessions\` = ${ENGAGEMENT_SESSIONS}`);
    expect(section('iet')).toContain(`through ${ENGAGEMENT_DAYS} days after it (\`engagement_days\` = ${ENGAGEMENT_DAYS})`);
    expect(section('niatx')).toContain(`(\`continuation_session\` = ${CONTINUATION_SESSION})`);
    expect(section('i-serv')).toContain(`within ${ISERV_BUSINESS_DAYS} business days of the first contact, \`within_business_days\` = ${ISERV_BUSINESS_DAYS}`);
    expect(section('mbc')).toContain(`at least ${MBC_MEASURED_SHARE * 100}% of its episode-weeks, \`measured_share\` = ${MBC_MEASURED_SHARE}`);
  });

  it('lists every federal holiday of the rule table and documents IOP_HOLIDAYS', () => {
    const days = DOC.slice(DOC.indexOf('### Business days'));
    for (const h of FEDERAL_HOLIDAYS) expect(days).toContain(h.name.replace(/^Birthday of Martin Luther King, Jr\.$/, "Martin Luther King Jr.'s Birthday").replace(' National Independence Day', ''));
    expect(days).toContain('IOP_HOLIDAYS=2026-12-24,2026-12-31');
    expect(OPERATIONS).toContain('`IOP_HOLIDAYS`');
  });
});
