/**
 * The gateway as `npm start` runs it: the esbuild bundle of `src/index.ts`, built once per test file
 * into a directory of its own (so it never races a build of `dist/`), inside the project below
 * node_modules so the bundle's package imports resolve as in `dist/`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { buildDist, NODE_FLAGS } from '../../scripts/build.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Builds before the file's tests and removes after; `args()` is `node`'s argv for `npm start`. */
export function withBundle(name: string): { outdir(): string; args(): string[] } {
  let outdir = '';
  beforeAll(async () => {
    const cache = join(root, 'node_modules', '.cache', 'deskgraph');
    await mkdir(cache, { recursive: true });
    outdir = await mkdtemp(join(cache, `${name}-`));
    await buildDist({ outdir: relative(root, outdir), entryPoints: { index: 'src/index.ts' } });
  });
  afterAll(async () => {
    if (outdir) {
      await rm(outdir, { recursive: true, force: true });
    }
  });
  return { outdir: () => outdir, args: () => [...NODE_FLAGS, join(outdir, 'index.js')] };
}
