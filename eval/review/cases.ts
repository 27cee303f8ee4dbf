import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import stableStringify from 'fast-json-stable-stringify';
import { augmentCases, DEFAULT_AUGMENT_TARGET } from './augment';
import { CaseLabels, type CaseSet, type EvalCase } from './types';

/**
 * On disk a case is a directory `<id>/` holding `case.diff` (what a review receives) and
 * `labels.json` (everything else), so a diff can be read, applied or fed to `npm run review`
 * as it is.
 */

export const DEV_CASES_DIR = path.resolve(__dirname, '../cases/dev');

export async function loadCases(dir: string = DEV_CASES_DIR): Promise<EvalCase[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const ids = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  ids.sort();
  return Promise.all(
    ids.map(async (id) => {
      const [diff, raw] = await Promise.all([
        readFile(path.join(dir, id, 'case.diff'), 'utf8'),
        readFile(path.join(dir, id, 'labels.json'), 'utf8'),
      ]);
      const labels = CaseLabels.parse(JSON.parse(raw));
      if (labels.id !== id) throw new Error(`case directory ${id} holds labels for ${labels.id}`);
      return { ...labels, diff };
    }),
  );
}

/** Replaces the directory's cases with these, so a removed template leaves no stale case. */
export async function writeCases(dir: string, cases: readonly EvalCase[]): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const c of cases) {
    const { diff, ...labels } = c;
    await mkdir(path.join(dir, c.id));
    await writeFile(path.join(dir, c.id, 'case.diff'), diff);
    await writeFile(path.join(dir, c.id, 'labels.json'), `${JSON.stringify(labels, null, 2)}\n`);
  }
}

export function hashCases(cases: readonly EvalCase[]): string {
  const sorted = [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return bytesToHex(sha256(utf8ToBytes(stableStringify(sorted))));
}

export function caseSet(id: string, cases: readonly EvalCase[]): CaseSet {
  return { id, hash: hashCases(cases), cases: [...cases] };
}

/**
 * The development set, or with `augment` the staging set: the development cases plus synthetic
 * ones up to `target` (default 2000), derived deterministically from `seed`.
 */
export async function loadCaseSet(
  opts: { dir?: string; augment?: boolean; target?: number; seed?: string } = {},
): Promise<CaseSet> {
  const dev = await loadCases(opts.dir);
  if (!opts.augment) return caseSet('dev', dev);
  const seed = opts.seed ?? 's1';
  const target = opts.target ?? DEFAULT_AUGMENT_TARGET;
  return caseSet(`dev+aug-${seed}-${target}`, augmentCases(dev, { seed, target }));
}
