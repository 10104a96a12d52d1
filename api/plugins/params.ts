import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, type ErrorDetail } from '../errors';

/**
 * One rule for every query and path parameter of every route, checked before any
 * route schema (docs/security.md "Parameters"; issue 20 item 5):
 * - no C0 control character (U+0000–U+001F) and no DEL (U+007F). A NUL cannot be stored
 *   by PostgreSQL in text or jsonb, so it answered 500 (`GET /api/v1/jobs?source=%00`);
 *   the others have no place in a code, a date or a name and only hide text in logs.
 *   The one exception is JSON whitespace (tab, LF, CR) in a parameter that carries JSON
 *   (`profile` of the ingest routes), which a pretty-printed profile file holds.
 * - no value longer than MAX_PARAM_CHARS (the longest any route accepts: a profile).
 *   Route schemas set tighter bounds; this one holds for a route that forgets.
 * Names are checked as values are: an unknown name is refused by the route schema too,
 * but its error body would echo the NUL.
 */
export const MAX_PARAM_CHARS = 20_000;
const JSON_PARAMS = new Set(['profile']);
const JSON_SPACE = new Set([0x09, 0x0a, 0x0d]);

const isControl = (code: number) => code <= 0x1f || code === 0x7f;

function hasControl(value: string, allowJsonSpace: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isControl(code) && !(allowJsonSpace && JSON_SPACE.has(code))) return true;
  }
  return false;
}

/** Why a parameter value is refused, or null when it is acceptable. */
export function paramProblem(name: string, value: string): string | null {
  if (hasControl(value, JSON_PARAMS.has(name))) return 'must not contain control characters (NUL, U+0001–U+001F or DEL)';
  if (value.length > MAX_PARAM_CHARS) return `is longer than ${MAX_PARAM_CHARS} characters`;
  return null;
}

/** A name safe to echo in an error body: controls shown as \uXXXX, length bounded. */
function printable(name: string): string {
  return [...name.slice(0, 100)].map((c) => (isControl(c.charCodeAt(0)) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
}

function problems(values: unknown, where: string): ErrorDetail[] {
  if (values === null || typeof values !== 'object') return [];
  const out: ErrorDetail[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const nameProblem = paramProblem('', name);
    if (nameProblem) {
      out.push({ param: printable(name), message: `${where} name ${nameProblem}` });
      continue;
    }
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      const problem = typeof v === 'string' ? paramProblem(name, v) : null;
      if (problem) {
        out.push({ param: name, message: problem });
        break;
      }
    }
  }
  return out;
}

/** Registers the rule as a preValidation hook, so it runs before every route schema. */
export function paramsPlugin(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request: FastifyRequest) => {
    const details = [...problems(request.params, 'path parameter'), ...problems(request.query, 'query parameter')];
    if (details.length > 0) throw badRequest('Invalid parameter', details);
  });
}
