import { prepareDiff } from '../../../domain/diff';
import { DIMENSIONS } from '../../../domain/review';
import { hashCases, loadCases } from '../../../eval/review/cases';
import { developmentCases } from '../../../eval/review/devset';
import type { EvalCase } from '../../../eval/review/types';

/** New-side line numbers of the added lines of one file in a diff, as the reviewers see them. */
function addedLines(c: EvalCase, file: string): Set<number> {
  const prepared = prepareDiff({ diff: c.diff }, { tokenBudget: 100_000 });
  const lines = new Set<number>();
  for (const chunk of prepared.chunks) {
    for (const f of chunk.files.filter((x) => x.path === file)) {
      for (const h of f.hunks)
        for (const l of h.lines) if (l.kind === 'add' && l.newLine) lines.add(l.newLine);
    }
  }
  return lines;
}

describe('the development set', () => {
  let cases: EvalCase[];
  beforeAll(async () => {
    cases = await loadCases();
  });

  it('has at least 200 cases over all 7 dimensions and at least 4 languages', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const dims = new Set(cases.flatMap((c) => c.expected.map((e) => e.dimension)));
    expect([...dims].sort()).toEqual([...DIMENSIONS].sort());
    const languages = new Set(cases.map((c) => c.language));
    for (const l of ['typescript', 'python', 'go', 'java']) expect(languages).toContain(l);
  });

  it('holds vulnerable and clean cases, and marks security and correctness ones critical', () => {
    expect(cases.filter((c) => c.variant === 'clean').length).toBeGreaterThanOrEqual(80);
    for (const c of cases) {
      expect(c.critical).toBe(c.dimension === 'security' || c.dimension === 'correctness');
      expect(c.synthetic).toBe(false);
      if (c.variant === 'clean') expect(c.expected).toEqual([]);
      else expect(c.expected.length).toBeGreaterThan(0);
    }
  });

  it('is exactly what the templates generate', () => {
    expect(hashCases(cases)).toBe(hashCases(developmentCases()));
  });

  it('labels only lines the diff adds, in files the diff reviews', () => {
    for (const c of cases) {
      for (const label of [...c.expected, ...c.nonFindings]) {
        const added = addedLines(c, label.file);
        for (let n = label.startLine; n <= label.endLine; n++) {
          if (!added.has(n)) throw new Error(`${c.id}: ${label.file}:${n} is not an added line`);
        }
      }
    }
  });
});
