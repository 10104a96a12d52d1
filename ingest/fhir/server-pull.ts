import type { Warehouse } from '../../warehouse/db';
import { FhirLoad, type FhirMapConfig, type FhirSummary } from './load';
import { arr, isResource, lastUpdated, obj, str, type Resource } from './resource';
import { highWater, later, saveHighWater } from './sync-state';

export interface FhirServer extends FhirMapConfig {
  /** The source name: lineage and the high-water marks are kept under it. */
  name: string;
  baseUrl: string;
  resourceTypes: readonly string[];
  bearerToken?: string;
  pageSize?: number;
}

export interface PullOptions {
  fetch?: typeof fetch;
  today?: string;
}

export interface PullSummary extends FhirSummary {
  pages: number;
  /** The `_lastUpdated` high-water mark per resource type after this pull. */
  high_water: Record<string, string>;
}

export class FhirPullError extends Error {
  override name = 'FhirPullError';
}

const MAX_PAGES = 100_000;

/**
 * An incremental pull from a FHIR R4 server's search API: per resource type,
 * `GET [base]/[type]?_lastUpdated=gt[high-water]` then `Bundle.link[next]` until the last
 * page (FHIR R4 §3.1.1.5 paging, §3.1.1.4.2 _lastUpdated). The marks advance only after
 * every batch has been ingested, so a failed pull is repeated in full next time.
 */
export async function pullFhir(wh: Warehouse, server: FhirServer, o: PullOptions = {}): Promise<PullSummary> {
  const get = o.fetch ?? fetch;
  const load = await FhirLoad.open(wh, { sourceName: server.name, ...server, ...(o.today ? { today: o.today } : {}) });
  const marks: Record<string, string> = {};
  let pages = 0;
  try {
    for (const type of server.resourceTypes) {
      let mark = await highWater(wh.db, server.name, type);
      let url: URL | undefined = searchUrl(server, type, mark);
      while (url) {
        if (++pages > MAX_PAGES) throw new FhirPullError(`more than ${MAX_PAGES} pages from ${server.baseUrl}; is the next link looping?`);
        const bundle = await fetchBundle(get, url, server);
        for (const r of entries(bundle)) {
          const at = lastUpdated(r);
          if (at && r.resourceType === type) mark = later(mark, at);
          await load.add(r);
        }
        url = nextUrl(bundle, server);
      }
      if (mark) marks[type] = mark;
    }
  } catch (e) {
    await load.abort();
    throw e;
  }
  const summary = await load.finish();
  for (const [type, mark] of Object.entries(marks)) await saveHighWater(wh.db, server.name, type, mark);
  return { ...summary, pages, high_water: marks };
}

function searchUrl(server: FhirServer, type: string, mark: string | undefined): URL {
  const url = new URL(`${server.baseUrl.replace(/\/+$/, '')}/${type}`);
  url.searchParams.set('_count', String(server.pageSize ?? 500));
  if (mark) url.searchParams.set('_lastUpdated', `gt${mark}`);
  return url;
}

async function fetchBundle(get: typeof fetch, url: URL, server: FhirServer): Promise<Resource> {
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (server.bearerToken) headers.authorization = `Bearer ${server.bearerToken}`;
  let res: Response;
  try {
    res = await get(url, { headers });
  } catch (e) {
    throw new FhirPullError(`GET ${url.href} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new FhirPullError(`GET ${url.href} answered ${res.status} ${res.statusText}`);
  const body: unknown = await res.json().catch(() => undefined);
  if (!isResource(body) || body.resourceType !== 'Bundle') throw new FhirPullError(`GET ${url.href} did not return a FHIR Bundle`);
  return body;
}

function* entries(bundle: Resource): Generator<Resource> {
  for (const entry of arr(bundle.entry)) {
    const e = obj(entry);
    // OperationOutcome entries (search.mode "outcome") are the server's notes, not data.
    if (str(obj(e?.search)?.mode) === 'outcome') continue;
    if (isResource(e?.resource)) yield e.resource;
  }
}

/** The next page, which must stay on the server's origin: the bearer token is never sent elsewhere. */
function nextUrl(bundle: Resource, server: FhirServer): URL | undefined {
  const link = arr(bundle.link).map(obj).find((l) => str(l?.relation) === 'next');
  const href = str(link?.url);
  if (!href) return undefined;
  const next = new URL(href, server.baseUrl);
  if (next.origin !== new URL(server.baseUrl).origin) throw new FhirPullError(`the next-page link ${next.href} leaves ${new URL(server.baseUrl).origin}`);
  return next;
}
