/**
 * `npm run build` (and `prestart`, so `npm start` always runs fresh code): bundles the gateway's
 * TypeScript into plain JavaScript under `dist/` with esbuild, so the running process needs no
 * TypeScript loader (tsx's loader thread alone is about 35 MB of resident memory). Types are not
 * checked here: that is `npm run typecheck`. Our own sources are bundled; packages stay `import`s
 * resolved from node_modules at run time, exactly as under tsx (so `outdir` must be inside the
 * project, below its node_modules).
 *
 * `dist/index.js` is `npm start`; `dist/bench/contender.js` is the benchmark's contender process
 * (`bench/procs/contender.ts`), which `npm run bench` builds before it forks one.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The Node flags deskgraph runs with (`npm start` spells them out in package.json; the bench forks
 * its contenders with them; test/gateway/start.test.ts checks the two agree).
 *
 * `--max-old-space-size=1024`: a 1 GB old generation. deskgraph's live heap is about 25-30 MB; with
 * V8's default limit on a large machine (about 4 GB) V8 lets the old generation grow to about 4×
 * the live data between full collections, with a 1 GB limit to about 1.6×, so resident memory
 * under load stays much closer to what is actually live (bench scenario 4, 50 clients: peak RSS
 * about 200 MB → 135 MB), for about 5-8% of peak throughput at saturation (more full collections;
 * see README, Deployment). Raise it if a deployment keeps very many credentials' caches.
 */
export const NODE_FLAGS: readonly string[] = ['--max-old-space-size=1024'];

export const ENTRY_POINTS = {
  index: 'src/index.ts',
  'bench/contender': 'bench/procs/contender.ts',
} as const;

export interface BuildOptions {
  /** Relative to the project root. @default 'dist' */
  outdir?: string;
  entryPoints?: Partial<Record<keyof typeof ENTRY_POINTS, string>>;
}

/** Builds the entry points (all by default) into `dist/`: about a tenth of a second. */
export async function buildDist(options: BuildOptions = {}): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: options.entryPoints ?? ENTRY_POINTS,
    outdir: options.outdir ?? 'dist',
    bundle: true,
    packages: 'external',
    platform: 'node',
    // ESM, as the sources are (src/index.ts uses top-level await). Not minified: names stay readable.
    format: 'esm',
    target: 'node20.19',
    // Linked source maps: stack traces point at src/ under `node --enable-source-maps`.
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDist();
}
