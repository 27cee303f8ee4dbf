/**
 * The Mann-Whitney U test with the normal approximation, tie correction and continuity
 * correction, as canary judges (Kayenta's) use to compare latency distributions without assuming
 * they are normal. Matches scipy.stats.mannwhitneyu(method='asymptotic').
 */

export interface MannWhitneyResult {
  /** U of the first sample: how often one of its values beats one of the second's */
  u1: number;
  u2: number;
  z: number;
  /** P(the first sample is this much greater or more) under the null hypothesis */
  pGreater: number;
  pLess: number;
  pTwoSided: number;
}

/** Average ranks (1-based) of the pooled values, and Σ(t³ − t) over tie groups. */
function rank(values: number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length).fill(0);
  let tieTerm = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.v === order[start]?.v) end += 1;
    const t = end - start + 1;
    const avg = (start + end + 2) / 2;
    for (let k = start; k <= end; k += 1) ranks[order[k]?.i ?? 0] = avg;
    tieTerm += t ** 3 - t;
    start = end + 1;
  }
  return { ranks, tieTerm };
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs two non-empty samples');
  if (![...x, ...y].every(Number.isFinite)) throw new RangeError('samples must be finite numbers');
  const n = n1 + n2;
  const { ranks, tieTerm } = rank([...x, ...y]);
  const r1 = ranks.slice(0, n1).reduce((s, r) => s + r, 0);
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) {
    // every value tied: no evidence either way
    return { u1, u2, z: 0, pGreater: 1, pLess: 1, pTwoSided: 1 };
  }
  const sd = Math.sqrt(variance);
  const zGreater = (u1 - mean - 0.5) / sd;
  const zLess = (u1 - mean + 0.5) / sd;
  const pGreater = 1 - normalCdf(zGreater);
  const pLess = normalCdf(zLess);
  const zTwo = (Math.abs(u1 - mean) - 0.5) / sd;
  const pTwoSided = Math.min(1, 2 * (1 - normalCdf(zTwo)));
  return { u1, u2, z: (u1 - mean) / sd, pGreater, pLess, pTwoSided };
}

/** Φ(z) via erfc (W. J. Cody's rational approximations give ~1e-14; this one ~1.2e-7 is plenty). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Numerical Recipes' erfc (Chebyshev fit), fractional error < 1.2e-7 everywhere. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
