/**
 * `npm ci` prints an `EBADENGINE` warning for every installed package whose `engines.node` excludes
 * the running Node. README promises Node 20.19 and later, so no package in the lockfile may exclude
 * the oldest version `package.json`'s own `engines` allows (the `overrides` in package.json keep
 * codegen's newer dependencies, which want Node 22, at versions that still support 20).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Semver {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
  validRange(range: string): string | null;
}

// semver is in the tree (npm's own dependency of many packages); its types are not.
const semver = createRequire(import.meta.url)('semver') as Semver;
const root = fileURLToPath(new URL('../../', import.meta.url));
const json = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as Record<string, unknown>;

interface LockEntry {
  version?: string;
  engines?: unknown;
}

describe('install hygiene', () => {
  const promised = (json('package.json').engines as { node: string }).node;
  const oldest = semver.minVersion(promised)?.version as string;

  it('package.json promises Node 20.19 or later', () => {
    expect(promised).toBe('>=20.19');
    expect(oldest).toBe('20.19.0');
  });

  it('no locked package excludes the oldest Node the project promises (npm ci: no EBADENGINE)', () => {
    const packages = json('package-lock.json').packages as Record<string, LockEntry>;
    expect(Object.keys(packages).length).toBeGreaterThan(100);
    const excluding: string[] = [];
    for (const [path, entry] of Object.entries(packages)) {
      const node = (entry.engines as { node?: unknown } | undefined)?.node;
      // Old packages wrote `engines` as an array of strings; npm ignores those.
      if (typeof node !== 'string' || semver.validRange(node) === null) {
        continue;
      }
      for (const version of [oldest, process.versions.node]) {
        if (!semver.satisfies(version, node)) {
          excluding.push(`${path}@${entry.version} wants node ${node} (not ${version})`);
        }
      }
    }
    expect(excluding).toEqual([]);
  });

  it('the check itself sees an engine range that excludes Node 20', () => {
    expect(semver.satisfies(oldest, '>=22.15.0')).toBe(false);
    expect(semver.satisfies(oldest, '^16 || ^18 || >=20')).toBe(true);
  });
});
