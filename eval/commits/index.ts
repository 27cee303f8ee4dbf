import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeCommitFacts, prepareCommit } from '../../domain/commits/analysis';
import { CommitInput, type CommitType, type SemverImpact } from '../../domain/commits/types';
import type { CommitCase } from './build';
import { DIFF_CASES } from './diffCases';

/**
 * `npm run eval -- --suite commits [--json] [--show-misses]`: accuracy of commit analysis on a
 * labelled set built from real Conventional Commits history (see build.ts and README.md).
 *   - full message: type accuracy, semver impact accuracy, breaking precision/recall
 *   - subject only (the `type(scope)!:` prefix held out): the classifier for messages that do
 *     not follow the convention
 *   - diff only (message held out): breaking-change detection on the diff cases
 */

export const COMMITS_USAGE = `npm run eval -- --suite commits [--json] [--show-misses]`;

const SHA = 'e'.repeat(40);

function expectedImpact(type: CommitType, breaking: boolean): SemverImpact {
  if (breaking) return 'major';
  if (type === 'feat') return 'minor';
  if (type === 'fix' || type === 'perf' || type === 'revert') return 'patch';
  return 'none';
}

function analyse(message: string, diff = '') {
  const input = CommitInput.parse({ repository: 'eval', sha: SHA, message, diff });
  const prepared = prepareCommit(input);
  return analyzeCommitFacts(prepared.input, prepared.files);
}

interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}
const rate = (n: number, d: number): number | null =>
  d === 0 ? null : Math.round((n / d) * 1000) / 1000;
function pr(c: Confusion) {
  return { precision: rate(c.tp, c.tp + c.fp), recall: rate(c.tp, c.tp + c.fn), ...c };
}
function tally(c: Confusion, truth: boolean, predicted: boolean): void {
  if (truth && predicted) c.tp += 1;
  else if (!truth && predicted) c.fp += 1;
  else if (truth) c.fn += 1;
  else c.tn += 1;
}

export async function runCommitSuite(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      'show-misses': { type: 'boolean', default: false },
    },
  });
  const raw = await readFile(path.join(__dirname, 'cases.json'), 'utf8');
  const { cases } = JSON.parse(raw) as { cases: CommitCase[] };
  const misses: string[] = [];

  const full = { typeOk: 0, impactOk: 0, breaking: { tp: 0, fp: 0, fn: 0, tn: 0 } };
  const subject = { typeOk: 0, impactOk: 0, breaking: { tp: 0, fp: 0, fn: 0, tn: 0 } };
  const perType: Record<string, { n: number; subjectOk: number }> = {};
  for (const c of cases) {
    const a = analyse(c.message);
    const expected = expectedImpact(c.type, c.breaking);
    if (a.message.type === c.type) full.typeOk += 1;
    if (a.impact === expected) full.impactOk += 1;
    tally(full.breaking, c.breaking, a.message.breaking);

    const s = analyse(c.subject);
    const t = (perType[c.type] ??= { n: 0, subjectOk: 0 });
    t.n += 1;
    if (s.message.type === c.type) {
      subject.typeOk += 1;
      t.subjectOk += 1;
    } else if (values['show-misses'])
      misses.push(`subject ${c.type} → ${s.message.type}: ${c.subject} (${c.id})`);
    if (s.impact === expected) subject.impactOk += 1;
    tally(subject.breaking, c.breaking, s.message.breaking);
  }

  const diffOnly = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const d of DIFF_CASES) {
    const a = analyse('Update', d.diff);
    const found = a.breakingChanges.some((b) => b.source === 'diff');
    tally(diffOnly, d.breaking, found);
    if (found !== d.breaking && values['show-misses']) {
      misses.push(
        `diff ${d.id}: expected ${d.breaking ? 'breaking' : 'not breaking'}, found ${a.breakingChanges.map((b) => b.description).join('; ') || 'nothing'}`,
      );
    }
  }

  const n = cases.length;
  const report = {
    cases: n,
    breakingCases: cases.filter((c) => c.breaking).length,
    packages: [...new Set(cases.map((c) => c.source.package))].length,
    fullMessage: {
      typeAccuracy: rate(full.typeOk, n),
      semverImpactAccuracy: rate(full.impactOk, n),
      breaking: pr(full.breaking),
    },
    subjectOnly: {
      typeAccuracy: rate(subject.typeOk, n),
      semverImpactAccuracy: rate(subject.impactOk, n),
      breaking: pr(subject.breaking),
      perType: Object.fromEntries(
        Object.entries(perType).map(([k, v]) => [k, { n: v.n, accuracy: rate(v.subjectOk, v.n) }]),
      ),
    },
    diffOnly: { cases: DIFF_CASES.length, breaking: pr(diffOnly) },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
    const b = (x: ReturnType<typeof pr>) =>
      `precision ${pct(x.precision)} recall ${pct(x.recall)} (tp ${x.tp} fp ${x.fp} fn ${x.fn} tn ${x.tn})`;
    process.stdout.write(
      [
        `commit suite: ${n} real commits from ${report.packages} packages (${report.breakingCases} breaking), ${DIFF_CASES.length} diff cases`,
        '',
        'full message (Conventional Commits header as written):',
        `  type classification   ${pct(report.fullMessage.typeAccuracy)}`,
        `  semver impact         ${pct(report.fullMessage.semverImpactAccuracy)}`,
        `  breaking (message)    ${b(report.fullMessage.breaking)}`,
        'subject only (type, scope and ! held out — the non-conventional classifier):',
        `  type classification   ${pct(report.subjectOnly.typeAccuracy)}`,
        ...Object.entries(report.subjectOnly.perType).map(
          ([k, v]) => `    ${k.padEnd(9)} n=${String(v.n).padEnd(4)} ${pct(v.accuracy)}`,
        ),
        `  semver impact         ${pct(report.subjectOnly.semverImpactAccuracy)}`,
        `  breaking (message)    ${b(report.subjectOnly.breaking)}`,
        'diff only (message held out):',
        `  breaking (diff)       ${b(report.diffOnly.breaking)}`,
        ...misses.map((m) => `  miss: ${m}`),
        '',
      ].join('\n'),
    );
  }
  return 0;
}
