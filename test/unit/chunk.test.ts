import fc from 'fast-check';
import {
  CHARS_PER_TOKEN,
  chunkFiles,
  estimateTokens,
  fileOverheadTokens,
  fileTokens,
  hunkTokens,
} from '../../domain/chunk';
import { ReviewChunk } from '../../domain/review';
import type { DiffFile, DiffHunk } from '../../domain/review';

/** A hunk of `lines` added lines, each `width` characters, starting at new line `start`. */
const hunk = (start: number, lines: number, width = 36): DiffHunk => ({
  header: `@@ -${start},0 +${start},${lines} @@`,
  oldStart: start,
  oldLines: 0,
  newStart: start,
  newLines: lines,
  lines: Array.from({ length: lines }, (_, i) => ({
    kind: 'add' as const,
    newLine: start + i,
    text: 'x'.repeat(width),
  })),
});

const file = (path: string, hunks: DiffHunk[]): DiffFile => ({
  path,
  status: 'modified',
  language: 'typescript',
  binary: false,
  hunks,
});

/** Every hunk of the input, in the order the chunks carry it. */
const carried = (chunks: ReviewChunk[]): DiffHunk[] =>
  chunks.flatMap((c) => c.files.flatMap((f) => f.hunks));

describe('token estimate', () => {
  it('counts about four characters per token, prefix and newline included', () => {
    expect(CHARS_PER_TOKEN).toBe(4);
    expect(estimateTokens(0)).toBe(0);
    expect(estimateTokens(1)).toBe(1);
    expect(estimateTokens(400)).toBe(100);
    // header (19) + newline, then 10 lines of 36 characters + prefix + newline
    const h = hunk(1, 10);
    expect(hunkTokens(h)).toBe(Math.ceil((h.header.length + 1 + 10 * 38) / 4));
    const f = file('src/a.ts', [h, hunk(20, 5)]);
    expect(fileTokens(f)).toBe(fileOverheadTokens(f) + hunkTokens(h) + hunkTokens(hunk(20, 5)));
  });
});

describe('chunkFiles', () => {
  it('packs small files together in order', () => {
    const files = ['a.ts', 'b.ts', 'c.ts'].map((p) => file(p, [hunk(1, 5)]));
    const { chunks, overLimit } = chunkFiles(files, 6000);
    expect(overLimit).toEqual([]);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.files.map((f) => f.path)).toEqual(['a.ts', 'b.ts', 'c.ts']);
    expect(chunks[0]?.tokenEstimate).toBe(files.reduce((n, f) => n + fileTokens(f), 0));
  });

  it('starts a new chunk for a file that no longer fits, keeping it whole', () => {
    const a = file('a.ts', [hunk(1, 30)]);
    const b = file('b.ts', [hunk(1, 30), hunk(50, 30)]);
    const budget = fileTokens(b);
    const { chunks } = chunkFiles([a, b], budget);
    expect(chunks.map((c) => c.files.map((f) => [f.path, f.hunks.length]))).toEqual([
      [['a.ts', 1]],
      [['b.ts', 2]],
    ]);
    expect(chunks[1]?.tokenEstimate).toBe(budget);
  });

  it('splits a file larger than the budget between hunks, never inside one', () => {
    // Same-width headers, so that every hunk costs the same.
    const big = file('big.ts', [hunk(1000, 40), hunk(2000, 40), hunk(3000, 40), hunk(4000, 40)]);
    const budget = fileOverheadTokens(big) + 2 * hunkTokens(hunk(1000, 40));
    const { chunks, overLimit } = chunkFiles([big], budget);
    expect(overLimit).toEqual([]);
    expect(chunks.map((c) => c.files.map((f) => f.hunks.map((h) => h.newStart)))).toEqual([
      [[1000, 2000]],
      [[3000, 4000]],
    ]);
    expect(carried(chunks)).toEqual(big.hunks);
    for (const c of chunks) expect(c.tokenEstimate).toBeLessThanOrEqual(budget);
  });

  it('fills the rest of the current chunk with the first hunks of a big file', () => {
    const small = file('small.ts', [hunk(1, 10)]);
    const big = file('big.ts', [hunk(1000, 40), hunk(2000, 40), hunk(3000, 40)]);
    const budget = fileTokens(small) + fileOverheadTokens(big) + 2 * hunkTokens(hunk(1000, 40));
    const { chunks } = chunkFiles([small, big], budget);
    expect(chunks.map((c) => c.files.map((f) => `${f.path}:${f.hunks.length}`))).toEqual([
      ['small.ts:1', 'big.ts:2'],
      ['big.ts:1'],
    ]);
  });

  it('reports a hunk larger than the budget instead of truncating it', () => {
    const f = file('gen.ts', [hunk(1, 5), hunk(10, 2000), hunk(3000, 5)]);
    const { chunks, overLimit } = chunkFiles([f], 1000);
    expect(overLimit).toEqual([
      {
        file: 'gen.ts',
        fileIndex: 0,
        hunkIndex: 1,
        detail: `hunk -10,0 +10,2000 is about ${hunkTokens(hunk(10, 2000))} tokens, over the 1000-token chunk budget`,
      },
    ]);
    expect(carried(chunks).map((h) => h.newStart)).toEqual([1, 3000]);
  });

  it('returns no chunks for no files and refuses a nonsensical budget', () => {
    expect(chunkFiles([], 100)).toEqual({ chunks: [], overLimit: [] });
    expect(() => chunkFiles([], 0)).toThrow(RangeError);
    expect(() => chunkFiles([], 1.5)).toThrow(RangeError);
  });

  it('keeps its promises for any mix of file and hunk sizes', () => {
    const sizes = fc.array(
      fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 }),
      {
        minLength: 1,
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(sizes, fc.integer({ min: 60, max: 1500 }), (spec, budget) => {
        const files = spec.map((hs, i) =>
          file(
            `f${i}.ts`,
            hs.map((n, k) => hunk(k * 200 + 1, n)),
          ),
        );
        const { chunks, overLimit } = chunkFiles(files, budget);
        // Every hunk is either carried whole, once, in input order, or reported.
        const reported = new Set(overLimit.map((o) => `${o.fileIndex}:${o.hunkIndex}`));
        const expected = files.flatMap((f, i) =>
          f.hunks.filter((_, k) => !reported.has(`${i}:${k}`)),
        );
        expect(carried(chunks)).toEqual(expected);
        for (const o of overLimit) {
          const h = files[o.fileIndex]?.hunks[o.hunkIndex] as DiffHunk;
          expect(
            fileOverheadTokens(files[o.fileIndex] as DiffFile) + hunkTokens(h),
          ).toBeGreaterThan(budget);
        }
        chunks.forEach((c, i) => {
          expect(ReviewChunk.safeParse(c).success).toBe(true);
          expect(c.index).toBe(i);
          expect(c.tokenEstimate).toBeLessThanOrEqual(budget);
          const sum = c.files.reduce((n, f) => n + fileTokens(f), 0);
          expect(c.tokenEstimate).toBe(sum);
        });
        // Deterministic: the same input gives the same chunks.
        expect(chunkFiles(files, budget)).toEqual({ chunks, overLimit });
      }),
      { numRuns: 300 },
    );
  });
});
