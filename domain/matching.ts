import type { ModelFinding } from './review';
import { SEVERITY_RANK } from './review';

/**
 * Pairs the primary's findings with the verifier's: the "did both models see it?" half of
 * consensus. Two findings are candidates when they are in the same file and dimension and
 * their line ranges overlap or lie within `lineTolerance` lines of each other (models often
 * anchor the same issue one or two lines apart). Candidates match when their messages are
 * similar enough; each finding matches at most one other.
 */

export interface MatchOptions {
  /** ranges this many lines apart still count as overlapping */
  lineTolerance: number;
  /** minimum `messageSimilarity` for a candidate pair to match, 0..1 */
  similarityThreshold: number;
}

export const DEFAULT_MATCH_OPTIONS: MatchOptions = { lineTolerance: 2, similarityThreshold: 0.35 };

export interface MatchPair {
  /** index into the first list */
  a: number;
  /** index into the second list */
  b: number;
  similarity: number;
}

export interface MatchResult {
  pairs: MatchPair[];
  /** indices of the first list left unmatched, ascending */
  unmatchedA: number[];
  /** indices of the second list left unmatched, ascending */
  unmatchedB: number[];
}

// Function words carry no signal about *which* issue is meant; dropping them keeps two
// short, differently phrased titles from looking alike only because both say "the".
const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could do does for from has have if in into ' +
    'is it its may might of on or should so than that the their then there these this those ' +
    'to was were when which while will with would'
  ).split(' '),
);

/** Light stemming so "queries"/"query" and "keys"/"key" meet; no dictionary needed. */
function stem(token: string): string {
  if (token.length > 4 && token.endsWith('ies')) return token.slice(0, -3) + 'y';
  if (token.length > 3 && token.endsWith('s') && !token.endsWith('ss')) return token.slice(0, -1);
  return token;
}

/** Lower-cased word tokens; "hard-coded" and "hardcoded" become the same token. */
export function tokenize(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .replace(/(?<=[a-z0-9])['’-](?=[a-z0-9])/g, '')
    .split(/[^a-z0-9]+/);
  const out = new Set<string>();
  for (const w of words) {
    if (w.length < 2 || STOPWORDS.has(w)) continue;
    out.add(stem(w));
  }
  return out;
}

/** Dice coefficient of two token sets: 2|A∩B| / (|A|+|B|); 0 when both are empty. */
export function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared += 1;
  return (2 * shared) / (a.size + b.size);
}

/**
 * How alike two findings' messages are, 0..1. An identical `ruleId` is 1 (two engines citing
 * the same rule agree by definition). Otherwise the larger of the Dice coefficients over the
 * titles and over title+explanation: titles are the models' one-line names for the issue and
 * are most telling, while explanations rescue pairs whose titles are worded apart.
 */
export function messageSimilarity(x: ModelFinding, y: ModelFinding): number {
  if (x.ruleId !== undefined && x.ruleId === y.ruleId) return 1;
  const titles = dice(tokenize(x.title), tokenize(y.title));
  const full = dice(
    tokenize(`${x.title} ${x.explanation}`),
    tokenize(`${y.title} ${y.explanation}`),
  );
  return Math.max(titles, full);
}

/** Lines between two ranges; 0 when they overlap. Tolerates start > end from a model. */
export function lineGap(x: ModelFinding, y: ModelFinding): number {
  const [xs, xe] = [Math.min(x.startLine, x.endLine), Math.max(x.startLine, x.endLine)];
  const [ys, ye] = [Math.min(y.startLine, y.endLine), Math.max(y.startLine, y.endLine)];
  return Math.max(0, ys - xe, xs - ye);
}

export function isCandidatePair(x: ModelFinding, y: ModelFinding, lineTolerance: number): boolean {
  return x.file === y.file && x.dimension === y.dimension && lineGap(x, y) <= lineTolerance;
}

/** Ascending order by code unit (never locale-aware: that would differ by host). */
export function cmp<T extends string | number>(x: T, y: T): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A total order over finding *content* (every field), so that whenever a choice must be made
 * between equally good candidates it is made by what the findings say, never by where they
 * sat in the input. Strings compare by code unit: locale-aware comparison would differ by host.
 */
export function compareModelFindings(x: ModelFinding, y: ModelFinding): number {
  return (
    cmp(x.file, y.file) ||
    cmp(x.startLine, y.startLine) ||
    cmp(x.endLine, y.endLine) ||
    cmp(SEVERITY_RANK[y.severity], SEVERITY_RANK[x.severity]) ||
    cmp(x.dimension, y.dimension) ||
    cmp(x.title, y.title) ||
    cmp(x.explanation, y.explanation) ||
    cmp(x.suggestedFix ?? '', y.suggestedFix ?? '') ||
    cmp(x.suggestedFix === undefined ? 0 : 1, y.suggestedFix === undefined ? 0 : 1) ||
    cmp(x.confidence, y.confidence) ||
    cmp(x.ruleId ?? '', y.ruleId ?? '') ||
    cmp(x.ruleId === undefined ? 0 : 1, y.ruleId === undefined ? 0 : 1)
  );
}

interface Candidate extends MatchPair {
  gap: number;
  /** the pair's two findings, lower one first, so the tie-break ignores which side is which */
  low: ModelFinding;
  high: ModelFinding;
}

/**
 * Greedy one-to-one matching: all candidate pairs at or above the threshold, best first
 * (similarity desc, then line gap asc, then the pair's content), each taken if both its
 * findings are still free. Greedy rather than optimal assignment because pairs rarely compete
 * and, when they do, "best message first" is the choice a reviewer would make by hand.
 * Swapping the two lists or permuting either one yields the same pairs of findings.
 */
export function matchFindings(
  a: readonly ModelFinding[],
  b: readonly ModelFinding[],
  options: MatchOptions = DEFAULT_MATCH_OPTIONS,
): MatchResult {
  const candidates: Candidate[] = [];
  a.forEach((x, i) => {
    b.forEach((y, j) => {
      if (!isCandidatePair(x, y, options.lineTolerance)) return;
      const similarity = messageSimilarity(x, y);
      if (similarity < options.similarityThreshold) return;
      const [low, high] = compareModelFindings(x, y) <= 0 ? [x, y] : [y, x];
      candidates.push({ a: i, b: j, similarity, gap: lineGap(x, y), low, high });
    });
  });
  candidates.sort(
    (p, q) =>
      q.similarity - p.similarity ||
      p.gap - q.gap ||
      compareModelFindings(p.low, q.low) ||
      compareModelFindings(p.high, q.high),
  );

  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: MatchPair[] = [];
  for (const c of candidates) {
    if (usedA.has(c.a) || usedB.has(c.b)) continue;
    usedA.add(c.a);
    usedB.add(c.b);
    pairs.push({ a: c.a, b: c.b, similarity: c.similarity });
  }
  pairs.sort((p, q) => p.a - q.a);
  return {
    pairs,
    unmatchedA: a.map((_, i) => i).filter((i) => !usedA.has(i)),
    unmatchedB: b.map((_, j) => j).filter((j) => !usedB.has(j)),
  };
}
