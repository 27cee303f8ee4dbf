import fc from 'fast-check';
import { MAX_SLICE_COMMITS, sliceBatch } from '../../../domain/commits/flow';

describe('sliceBatch', () => {
  it('covers every commit once, in order, in slices no bigger than the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 64 }),
        (total, lanes) => {
          const slices = sliceBatch(total, lanes);
          const covered = slices.flatMap((s) =>
            Array.from({ length: s.end - s.start }, (_, i) => s.start + i),
          );
          expect(covered).toEqual(Array.from({ length: total }, (_, i) => i));
          for (const s of slices) {
            expect(s.end - s.start).toBeGreaterThan(0);
            expect(s.end - s.start).toBeLessThanOrEqual(MAX_SLICE_COMMITS);
          }
          // every lane has work when there is enough of it
          expect(slices.length).toBeGreaterThanOrEqual(Math.min(lanes, total));
          const sizes = slices.map((s) => s.end - s.start);
          if (sizes.length > 0)
            expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('fills the default 8 lanes in one wave for 50 commits and caps slices for 1000', () => {
    expect(sliceBatch(50, 8).map((s) => s.end - s.start)).toEqual([7, 7, 6, 6, 6, 6, 6, 6]);
    expect(sliceBatch(1000, 8)).toHaveLength(1000 / MAX_SLICE_COMMITS);
    expect(sliceBatch(3, 8)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
    expect(sliceBatch(0, 8)).toEqual([]);
  });
});
