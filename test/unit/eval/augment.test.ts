import { prepareDiff } from '../../../domain/diff';
import { augmentCase, augmentCases } from '../../../eval/review/augment';
import { hashCases, loadCases } from '../../../eval/review/cases';
import type { EvalCase } from '../../../eval/review/types';

/** The text of each labelled line, which an edit that keeps meaning must carry along. */
function labelledText(c: EvalCase): string[] {
  const prepared = prepareDiff({ diff: c.diff }, { tokenBudget: 100_000 });
  const text = new Map<string, string>();
  for (const chunk of prepared.chunks) {
    for (const f of chunk.files) {
      for (const h of f.hunks)
        for (const l of h.lines) if (l.newLine) text.set(`${f.path}:${l.newLine}`, l.text);
    }
  }
  return c.expected.map((e) => (text.get(`${e.file}:${e.startLine}`) ?? '<missing>').trim());
}

describe('augmentation', () => {
  let dev: EvalCase[];
  beforeAll(async () => {
    dev = await loadCases();
  });

  it('gives the same cases for the same seed and different ones for another seed', () => {
    const a = augmentCases(dev, { seed: 's1' });
    const b = augmentCases(dev, { seed: 's1' });
    const c = augmentCases(dev, { seed: 's2' });
    expect(hashCases(a)).toBe(hashCases(b));
    expect(hashCases(a)).not.toBe(hashCases(c));
  });

  it('reaches 2000 cases and marks every added one synthetic with its parent', () => {
    const all = augmentCases(dev);
    expect(all.length).toBeGreaterThanOrEqual(2000);
    const ids = new Set(dev.map((c) => c.id));
    const synthetic = all.filter((c) => c.synthetic);
    expect(synthetic.length).toBe(all.length - dev.length);
    for (const s of synthetic) {
      expect(ids.has(s.parent ?? '')).toBe(true);
      expect(s.id.startsWith(`${s.parent}~a`)).toBe(true);
    }
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });

  it('keeps every synthetic diff parseable and its labels on the same code', () => {
    const byId = new Map(dev.map((c) => [c.id, c]));
    for (const s of augmentCases(dev, { seed: 'check' })) {
      if (!s.synthetic) continue;
      const parent = byId.get(s.parent ?? '') as EvalCase;
      const before = labelledText(parent);
      const after = labelledText(s);
      expect(after).not.toContain('<missing>');
      // only shifting keeps every labelled line byte-identical; the others edit text on purpose
      if (s.mutations?.every((m) => m === 'shift')) {
        expect(after).toEqual(before);
      }
      expect(s.expected.length).toBe(parent.expected.length);
    }
  });

  it('moves labels with the code when it shifts a hunk or moves a file', () => {
    const parent = dev.find((c) => c.id === 'ts-sql-injection-user-by-email-bad') as EvalCase;
    const moved = Array.from({ length: 30 }, (_, n) => augmentCase(parent, n + 1, 'labels')).filter(
      (c) => c.mutations?.includes('shift') && c.mutations.includes('move'),
    );
    expect(moved.length).toBeGreaterThan(0);
    for (const c of moved) {
      const label = c.expected[0];
      expect(label?.file).not.toBe(parent.expected[0]?.file);
      expect(c.diff).toContain(`+++ b/${label?.file}`);
      expect(label?.startLine).toBeGreaterThan(parent.expected[0]?.startLine ?? 0);
    }
  });
});
