import fc from 'fast-check';
import { bucketOf, routeFor } from '../../../domain/gate/routing';

const ids = Array.from({ length: 20_000 }, (_, i) => `review-${i.toString(16).padStart(16, '0')}`);

describe('hash-bucket routing', () => {
  it('sends a given review to the same version every time', () => {
    fc.assert(
      fc.property(fc.string(), fc.double({ min: 0, max: 100, noNaN: true }), (id, w) => {
        expect(routeFor(id, w)).toBe(routeFor(id, w));
      }),
    );
  });

  it('only moves reviews from baseline to candidate as the weight rises', () => {
    for (const id of ids.slice(0, 2000)) {
      const steps = [0, 5, 25, 50, 75, 100].map((w) => routeFor(id, w));
      const first = steps.indexOf('candidate');
      if (first >= 0) expect(steps.slice(first).every((r) => r === 'candidate')).toBe(true);
    }
  });

  it('gives the candidate close to its weight of traffic', () => {
    for (const weight of [5, 25, 50]) {
      const share = ids.filter((id) => routeFor(id, weight) === 'candidate').length / ids.length;
      expect(Math.abs(share - weight / 100)).toBeLessThan(0.01);
    }
  });

  it('sends nothing to the candidate at 0% and everything at 100%', () => {
    expect(ids.slice(0, 500).every((id) => routeFor(id, 0) === 'baseline')).toBe(true);
    expect(ids.slice(0, 500).every((id) => routeFor(id, 100) === 'candidate')).toBe(true);
    expect(bucketOf('review-0000000000000001')).toBe(bucketOf('review-0000000000000001'));
  });
});
