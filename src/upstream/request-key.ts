/**
 * One normalised name per upstream read: method, path, query parameters sorted, and the
 * credential's hash (never the key). Two reads with the same key return the same data for the same
 * caller, so this is what read deduplication (per operation today, `FreshdeskSession`) and a read
 * cache shared across operations key on; the loading plan builds the same keys to ask whether a
 * step is already answered.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export type QueryValue = string | number | boolean | undefined;

/** A read as the plan describes it: below the origin, without credentials. */
export interface ReadRequest {
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
}

const hashes = new LRUCache<string, string>({ max: 10_000 });

/** A short, stable, one-way name for an API key (for keys and logs; the key never leaves). */
export function credentialHash(apiKey: string): string {
  let hash = hashes.get(apiKey);
  if (hash === undefined) {
    hash = createHash('sha256').update(apiKey).digest('base64url').slice(0, 22);
    hashes.set(apiKey, hash);
  }
  return hash;
}

/** `path?a=1&b=2` with parameters sorted and undefined ones left out (as sent). */
export function normalisedTarget(request: ReadRequest): string {
  const query = request.query;
  if (query === undefined) {
    return request.path;
  }
  const names = Object.keys(query)
    .filter((name) => query[name] !== undefined)
    .sort();
  if (names.length === 0) {
    return request.path;
  }
  const params = new URLSearchParams();
  for (const name of names) {
    params.append(name, String(query[name]));
  }
  return `${request.path}?${params.toString()}`;
}

/** The read's key: `GET <normalised target> <credential hash>`. */
export const requestKey = (request: ReadRequest, credential: string): string =>
  `GET ${normalisedTarget(request)} ${credential}`;
