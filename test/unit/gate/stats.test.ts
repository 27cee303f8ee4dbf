import { mannWhitneyU, normalCdf } from '../../../domain/gate/stats';

/** Exact one-sided p by enumerating every split of the pooled values (small samples only). */
function exactPGreater(x: number[], y: number[]): number {
  const pooled = [...x, ...y];
  const u = (a: number[], b: number[]) =>
    a.reduce((s, v) => s + b.reduce((t, w) => t + (v > w ? 1 : v === w ? 0.5 : 0), 0), 0);
  const observed = u(x, y);
  let hits = 0;
  let total = 0;
  const choose = (start: number, picked: number[]) => {
    if (picked.length === x.length) {
      const a = picked.map((i) => pooled[i] as number);
      const b = pooled.filter((_, i) => !picked.includes(i));
      total += 1;
      if (u(a, b) >= observed) hits += 1;
      return;
    }
    for (let i = start; i < pooled.length; i += 1) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return hits / total;
}

describe('Mann-Whitney U', () => {
  it('matches scipy on its documented example (U = 17, asymptotic p = 0.1113)', () => {
    // scipy.stats.mannwhitneyu([19, 22, 16, 29, 24], [20, 11, 17, 12], method='asymptotic')
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.u1).toBe(17);
    expect(r.u2).toBe(3);
    expect(r.pTwoSided).toBeCloseTo(0.11134688653314041, 6);
  });

  it('corrects the variance for ties', () => {
    // pooled [1,2,2,3,3,3,4,5]: tie groups of 2 and 3 give Σ(t³−t) = 6 + 24 = 30
    const x = [1, 2, 3, 3];
    const y = [2, 3, 4, 5];
    const r = mannWhitneyU(x, y);
    // ranks: 1→1, 2→2.5, 3→5; R1 = 1 + 2.5 + 5 + 5 = 13.5, U1 = 13.5 − 10 = 3.5
    expect(r.u1).toBe(3.5);
    const sd = Math.sqrt((16 / 12) * (9 - 30 / 56));
    expect(r.z).toBeCloseTo((3.5 - 8) / sd, 10);
    expect(r.pLess).toBeCloseTo(normalCdf((3.5 - 8 + 0.5) / sd), 10);
  });

  it('approaches the exact permutation p-value on moderate samples', () => {
    const x = [112, 95, 130, 101, 140, 121, 99, 133];
    const y = [90, 85, 104, 96, 88, 92, 110, 87];
    const r = mannWhitneyU(x, y);
    expect(Math.abs(r.pGreater - exactPGreater(x, y))).toBeLessThan(0.01);
    expect(r.pGreater).toBeLessThan(0.01);
  });

  it('finds no difference between identical samples and reports every tie as p = 1', () => {
    expect(mannWhitneyU([1, 2, 3], [1, 2, 3]).pTwoSided).toBeCloseTo(1, 10);
    expect(mannWhitneyU([7, 7], [7, 7, 7])).toMatchObject({ pGreater: 1, pTwoSided: 1 });
  });

  it('computes the standard normal CDF to 1e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 7);
  });

  it('rejects empty or non-finite samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([Number.NaN], [1])).toThrow(RangeError);
  });
});
