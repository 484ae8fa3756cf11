/**
 * `npm test` runs `npm run deps` (dependency-cruiser): it passes on `src/` as it is, and fails on an
 * import cycle (shown on a scratch tree with one) or on quota importing the loading plan.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin/depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

async function cruise(cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(BIN, ['src', '--config', CONFIG], { cwd });
    return { ok: true, output: stdout };
  } catch (error) {
    const failed = error as { stdout?: string };
    return { ok: false, output: failed.stdout ?? '' };
  }
}

describe('import rules', () => {
  const scratch: string[] = [];
  afterAll(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function tree(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'deskgraph-deps-'));
    scratch.push(dir);
    await writeFile(
      join(dir, 'tsconfig.json'),
      '{ "compilerOptions": { "allowImportingTsExtensions": true } }',
    );
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return dir;
  }

  it('pass on src/ as it is', { timeout: 60_000 }, async () => {
    const result = await cruise(ROOT);
    expect(result.ok, result.output).toBe(true);
  });

  it('fail on an import cycle', { timeout: 60_000 }, async () => {
    const dir = await tree({
      'src/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    const result = await cruise(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('no-circular');
  });

  it('fail when quota imports beyond the upstream credits and errors', {
    timeout: 60_000,
  }, async () => {
    const dir = await tree({
      'src/quota/gate.ts': "import { rule } from '../plan/rules.ts';\nexport const gate = rule;\n",
      'src/plan/rules.ts': 'export const rule = 1;\n',
    });
    const result = await cruise(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('quota-is-a-leaf');
  });
});
