import type { Json } from '../db-types';

/**
 * What an audit row may hold of a request's parameters (docs/security.md "Audit
 * guarantees"): values PostgreSQL can store, bounded in size, without secrets.
 *
 * PostgreSQL refuses NUL in text and `\u0000` in jsonb, and a lone UTF-16 surrogate has
 * no UTF-8 form (its `\uD800` escape is refused by jsonb too), so a parameter carrying
 * one made the whole insert fail. Both become the visible six characters `\u0000`,
 * `\ud800`. Invalid UTF-8 never reaches here as such: the URL and body parsers decode it
 * to U+FFFD, which is stored as is.
 */
export const MAX_STRING = 200;
export const MAX_ROUTE = 500;
const MAX_ITEMS = 20;
const MAX_KEYS = 40;
const MAX_DEPTH = 2;
const SECRET_KEY = /pass|token|secret|auth|cookie/i;
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** NUL and lone surrogates as visible `\uXXXX` text; everything else unchanged. */
export function storableText(s: string): string {
  return s.replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most `max` characters, then a marker with the original length: `yyy…(10000 chars)`. */
export function boundedText(s: string, max = MAX_STRING): string {
  // Cut first, escape after: a cut through a surrogate pair leaves a lone half, which is escaped.
  return storableText(s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s);
}

function bounded(value: unknown, depth: number): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return boundedText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (depth > MAX_DEPTH) return '…';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => bounded(v, depth + 1));
  if (typeof value === 'object') return boundedObject(value as Record<string, unknown>, depth + 1);
  return boundedText(String(value));
}

function boundedObject(obj: Record<string, unknown>, depth: number): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(obj).slice(0, MAX_KEYS)) {
    if (SECRET_KEY.test(k)) continue;
    out[boundedText(k)] = bounded(v, depth);
  }
  return out;
}

/** Parameters as an audit row stores them: keys that look like secrets dropped, the rest bounded and storable. */
export function storableParams(params: Record<string, unknown>): { [k: string]: Json } {
  return boundedObject(params, 0);
}
