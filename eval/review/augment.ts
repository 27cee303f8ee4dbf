import type { EvalCase } from './types';

/**
 * Deterministic augmentation for the staging stage: each synthetic case is a development case
 * put through one to three meaning-preserving edits a real codebase sees all the time, with its
 * labels carried along. Same seed and same cases → the same synthetic cases, byte for byte.
 */

export type Mutation = 'shift' | 'move' | 'rename' | 'reformat' | 'literals';
const MUTATIONS: readonly Mutation[] = ['shift', 'move', 'rename', 'reformat', 'literals'];

export interface AugmentOptions {
  seed?: string;
  /** total cases wanted, originals included */
  target?: number;
}

export const DEFAULT_AUGMENT_TARGET = 2000;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** mulberry32: tiny, fast and good enough to pick edits; not for anything secret. */
export function rng(seed: string): () => number {
  let a = fnv(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: () => number, lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));

const isBody = (l: string): boolean => /^[ +-]/.test(l) && !/^(\+\+\+|---) /.test(l);
const TEST_PATH =
  /(^|\/)(test|tests|__tests__)\/|[._-](test|spec)\.[a-z]+$|_test\.go$|(^|\/)test_[^/]*\.py$|Test\.java$/;

function filesOf(diff: string): string[] {
  const out: string[] = [];
  for (const m of diff.matchAll(/^\+\+\+ b\/(.+)$/gm)) out.push(m[1] as string);
  return out;
}

/** Moves one modified file's hunks further down the file: the same change, other line numbers. */
function shift(c: EvalCase, r: () => number): EvalCase | undefined {
  const modified = filesOf(c.diff).filter((f) => !isNewFile(c.diff, f));
  if (modified.length === 0) return undefined;
  const file = pick(r, modified);
  const k = int(r, 3, 60);
  let current = '';
  const diff = c.diff
    .split('\n')
    .map((l) => {
      const h = /^\+\+\+ b\/(.+)$/.exec(l);
      if (h) current = h[1] as string;
      if (current !== file || !l.startsWith('@@ ')) return l;
      return l.replace(
        /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@/,
        (_, a, b, n, d) => `@@ -${+a + k},${b} +${+n + k},${d} @@`,
      );
    })
    .join('\n');
  const move = <T extends { file: string; startLine: number; endLine: number }>(x: T): T =>
    x.file === file ? { ...x, startLine: x.startLine + k, endLine: x.endLine + k } : x;
  return { ...c, diff, expected: c.expected.map(move), nonFindings: c.nonFindings.map(move) };
}

function isNewFile(diff: string, file: string): boolean {
  return diff.includes(`diff --git a/${file} b/${file}\nnew file mode`);
}

/** Applies fn to the parts of a line of code outside string literals. */
function outsideStrings(code: string, fn: (s: string) => string): string {
  return code
    .split(/("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`)/)
    .map((part, i) => (i % 2 === 1 ? part : fn(part)))
    .join('');
}

/**
 * Moves one source file into a sub-package: same code, a different path. Its relative imports
 * climb one level more and other files' imports of it follow, as an IDE's move refactoring does.
 */
function move(c: EvalCase, r: () => number): EvalCase | undefined {
  const files = filesOf(c.diff).filter((f) => !TEST_PATH.test(f));
  if (files.length === 0) return undefined;
  const from = pick(r, files);
  const slash = from.lastIndexOf('/');
  const sub = pick(r, ['internal', 'legacy', 'v2', 'shared']);
  const to = `${from.slice(0, slash + 1)}${sub}/${from.slice(slash + 1)}`;
  const stem = (p: string): string => p.replace(/\.[a-z]+$/, '');
  let current = '';
  const diff = c.diff
    .split('\n')
    .map((l) => {
      const h = /^diff --git a\/(.+) b\//.exec(l);
      if (h) current = h[1] as string;
      if (!isBody(l)) {
        return l.split(`a/${from}`).join(`a/${to}`).split(`b/${from}`).join(`b/${to}`);
      }
      const code = l.slice(1);
      if (current === from) {
        return (
          l[0] +
          code.replace(/(['"])(\.{1,2}\/)/g, '$1../$2').replace(/^(\s*from\s+)(\.+)(\w)/, '$1.$2$3')
        );
      }
      const dotted = (p: string): string => stem(p).split('/').join('.');
      return l[0] + code.split(stem(from)).join(stem(to)).split(dotted(from)).join(dotted(to));
    })
    .join('\n');
  const rename = <T extends { file: string }>(x: T): T =>
    x.file === from ? { ...x, file: to } : x;
  return { ...c, diff, expected: c.expected.map(rename), nonFindings: c.nonFindings.map(rename) };
}

// Declarations and statement-level assignments only: keyword arguments (`verify=False`) and
// properties are API names, and renaming them would change what the code does.
const DECLARED =
  /\b(?:const|let|var|function|def|class|type|interface)\s+([A-Za-z_]\w{2,})|^[ +-]\s*([a-z]\w{2,})(?:,\s*\w+)*\s*:=|^[ +-]\s*([a-z]\w{2,})\s*=(?!=)/gm;
const KEEP = new Set([
  'self',
  'this',
  'main',
  'init',
  'constructor',
  'super',
  'return',
  'None',
  'null',
  'true',
  'false',
]);

/** Renames identifiers the change declares, consistently, in a case-style that fits each. */
function rename(c: EvalCase, r: () => number): EvalCase | undefined {
  const body = c.diff.split('\n').filter(isBody).join('\n');
  const names = new Set<string>();
  for (const m of body.matchAll(DECLARED)) {
    const n = m[1] ?? m[2] ?? m[3];
    if (n && !KEEP.has(n) && !/^(test|Test)/.test(n)) names.add(n);
  }
  // A name that also appears inside a string (f-strings, template literals, SQL) stays as it is:
  // renaming only the code side would change what the program does.
  const strings: string[] = [];
  body.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`/g, (m) => {
    strings.push(m);
    return m;
  });
  const inString = (n: string): boolean => strings.some((t) => new RegExp(`\\b${n}\\b`).test(t));
  const chosen = [...names]
    .sort()
    .filter((n) => !inString(n))
    .filter(() => r() < 0.6);
  if (chosen.length === 0) return undefined;
  const suffix = pick(r, ['Value', 'Result', 'Next', 'Local', 'Current']);
  const renamed = (n: string): string =>
    n.includes('_') || (c.language === 'python' && n === n.toLowerCase())
      ? `${n}_${suffix.toLowerCase()}`
      : `${n}${suffix}`;
  const re = new RegExp(
    `(?<![.\\w])(${chosen.map((n) => n.replace(/\$/g, '\\$')).join('|')})\\b`,
    'g',
  );
  const diff = c.diff
    .split('\n')
    .map((l) => (isBody(l) ? l[0] + outsideStrings(l.slice(1), (t) => t.replace(re, renamed)) : l))
    .join('\n');
  return { ...c, diff };
}

/** Four-space instead of two-space indentation (Go keeps its tabs: gofmt owns them). */
function reformat(c: EvalCase): EvalCase | undefined {
  if (c.language === 'go') return undefined;
  const diff = c.diff
    .split('\n')
    .map((l) => (isBody(l) ? l[0] + l.slice(1).replace(/^ +/, (s) => s + s) : l))
    .join('\n');
  return diff === c.diff ? undefined : { ...c, diff };
}

/** Changes multi-digit numeric literals: a different constant is the same kind of code. */
function literals(c: EvalCase, r: () => number): EvalCase | undefined {
  const d = int(r, 1, 9);
  const diff = c.diff
    .split('\n')
    .map((l) =>
      isBody(l)
        ? l[0] + l.slice(1).replace(/(?<![\w.])([1-9]\d+)(?![\w.])/g, (n) => String(+n + d))
        : l,
    )
    .join('\n');
  return diff === c.diff ? undefined : { ...c, diff };
}

const APPLY: Record<Mutation, (c: EvalCase, r: () => number) => EvalCase | undefined> = {
  shift,
  move,
  rename,
  reformat: (c) => reformat(c),
  literals,
};

export function augmentCase(parent: EvalCase, n: number, seed: string): EvalCase {
  const r = rng(`${seed}:${parent.id}:${n}`);
  const wanted = int(r, 1, 3);
  const order = [...MUTATIONS].sort(() => r() - 0.5);
  let c: EvalCase = parent;
  const applied: Mutation[] = [];
  for (const m of order) {
    if (applied.length >= wanted) break;
    const next = APPLY[m](c, r);
    if (next) {
      c = next;
      applied.push(m);
    }
  }
  return {
    ...c,
    id: `${parent.id}~a${n}`,
    title: `${parent.title} [${applied.join(', ') || 'unchanged'}]`,
    synthetic: true,
    parent: parent.id,
    mutations: applied,
  };
}

/** The originals plus enough synthetic cases to reach the target, spread evenly over parents. */
export function augmentCases(cases: readonly EvalCase[], opts: AugmentOptions = {}): EvalCase[] {
  const seed = opts.seed ?? 's1';
  const target = opts.target ?? DEFAULT_AUGMENT_TARGET;
  const parents = cases.filter((c) => !c.synthetic);
  if (parents.length === 0) return [...cases];
  const per = Math.max(0, Math.ceil((target - cases.length) / parents.length));
  const synthetic = parents.flatMap((p) =>
    Array.from({ length: per }, (_, k) => augmentCase(p, k + 1, seed)),
  );
  return [...cases, ...synthetic];
}
