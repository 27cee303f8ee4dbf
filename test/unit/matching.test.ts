import fc from 'fast-check';
import {
  DEFAULT_MATCH_OPTIONS,
  isCandidatePair,
  matchFindings,
  messageSimilarity,
  tokenize,
} from '../../domain/matching';
import type { MatchResult } from '../../domain/matching';
import type { ModelFinding } from '../../domain/review';

function mf(over: Partial<ModelFinding> = {}): ModelFinding {
  return {
    file: 'src/db.ts',
    startLine: 10,
    endLine: 12,
    dimension: 'security',
    severity: 'high',
    title: 'SQL injection in query',
    explanation: 'User input is concatenated into the SQL string passed to db.query.',
    confidence: 0.9,
    ...over,
  };
}

const sqlPrimary = mf();
const sqlVerifier = mf({
  startLine: 11,
  endLine: 11,
  title: 'Possible SQL injection',
  explanation: 'The query is built by string concatenation with req.params.id; use parameters.',
});
const hardcodedKey = mf({
  title: 'Hard-coded API key',
  explanation: 'A live credential is committed to source control.',
});

describe('message similarity', () => {
  it('treats hyphenated and joined words, plurals and case as the same token', () => {
    expect([...tokenize('Hard-coded Keys in the Queries')].sort()).toEqual([
      'hardcoded',
      'key',
      'query',
    ]);
  });

  it('rates the same rule id as identical whatever the wording', () => {
    const x = mf({ ruleId: 'sql-injection', title: 'Tainted query' });
    const y = mf({ ruleId: 'sql-injection', title: 'Unsafe string building' });
    expect(messageSimilarity(x, y)).toBe(1);
  });

  it('rates two wordings of one issue above the threshold and two issues below it', () => {
    expect(messageSimilarity(sqlPrimary, sqlVerifier)).toBeGreaterThanOrEqual(
      DEFAULT_MATCH_OPTIONS.similarityThreshold,
    );
    expect(messageSimilarity(sqlPrimary, hardcodedKey)).toBeLessThan(
      DEFAULT_MATCH_OPTIONS.similarityThreshold,
    );
  });

  it('is symmetric', () => {
    expect(messageSimilarity(sqlPrimary, sqlVerifier)).toBe(
      messageSimilarity(sqlVerifier, sqlPrimary),
    );
  });
});

describe('matching two models’ findings', () => {
  it('pairs the same issue reported by both models on overlapping lines', () => {
    const r = matchFindings([sqlPrimary], [sqlVerifier]);
    expect(r.pairs).toEqual([{ a: 0, b: 0, similarity: expect.any(Number) }]);
    expect(r.unmatchedA).toEqual([]);
    expect(r.unmatchedB).toEqual([]);
  });

  it('does not pair findings in different files or dimensions', () => {
    expect(matchFindings([sqlPrimary], [{ ...sqlPrimary, file: 'src/other.ts' }]).pairs).toEqual(
      [],
    );
    expect(
      matchFindings([sqlPrimary], [{ ...sqlPrimary, dimension: 'correctness' }]).pairs,
    ).toEqual([]);
  });

  it('pairs ranges up to two lines apart and no further', () => {
    const at = (line: number) => mf({ startLine: line, endLine: line });
    expect(matchFindings([at(10)], [at(12)]).pairs).toHaveLength(1);
    expect(matchFindings([at(10)], [at(13)]).pairs).toHaveLength(0);
    expect(
      matchFindings([at(10)], [at(13)], { ...DEFAULT_MATCH_OPTIONS, lineTolerance: 3 }).pairs,
    ).toHaveLength(1);
  });

  it('does not pair two different issues on the same lines', () => {
    const r = matchFindings([sqlPrimary], [hardcodedKey]);
    expect(r.pairs).toEqual([]);
    expect(r.unmatchedA).toEqual([0]);
    expect(r.unmatchedB).toEqual([0]);
  });

  it('matches one to one, giving a finding to its most similar counterpart', () => {
    const r = matchFindings([sqlVerifier, sqlPrimary], [mf()]);
    expect(r.pairs).toEqual([{ a: 1, b: 0, similarity: 1 }]);
    expect(r.unmatchedA).toEqual([0]);
  });

  it('breaks ties between equally similar candidates by content, not by position', () => {
    const unsure = mf({ startLine: 10, endLine: 10, confidence: 0.4 });
    const sure = mf({ startLine: 10, endLine: 10, confidence: 0.8 });
    const target = mf({ startLine: 10, endLine: 10, confidence: 0.6 });
    const forward = matchFindings([unsure, sure], [target]);
    const backward = matchFindings([sure, unsure], [target]);
    expect(forward.pairs.map((p) => [unsure, sure][p.a])).toEqual([unsure]);
    expect(backward.pairs.map((p) => [sure, unsure][p.a])).toEqual([unsure]);
  });
});

/* ---- properties ---- */

const modelFinding: fc.Arbitrary<ModelFinding> = fc
  .record({
    file: fc.constantFrom('a.ts', 'b.py'),
    startLine: fc.integer({ min: 1, max: 15 }),
    span: fc.integer({ min: 0, max: 3 }),
    dimension: fc.constantFrom('security' as const, 'correctness' as const),
    severity: fc.constantFrom('critical' as const, 'high' as const, 'medium' as const),
    title: fc.constantFrom('SQL injection', 'Possible SQL injection', 'Null dereference', 'Leak'),
    explanation: fc.constantFrom('User input reaches the query.', 'May crash on null input.'),
    confidence: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
    ruleId: fc.option(fc.constantFrom('R1', 'R2'), { nil: undefined }),
  })
  .map(({ span, ruleId, ...f }) => ({
    ...f,
    endLine: f.startLine + span,
    ...(ruleId !== undefined ? { ruleId } : {}),
  }));

const findings = fc.array(modelFinding, { maxLength: 8 });
const permuted = (xs: ModelFinding[]) =>
  fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length });

/** The matched pairs as content, so results can be compared across differently ordered inputs. */
function pairedContent(r: MatchResult, a: ModelFinding[], b: ModelFinding[]): string[] {
  return r.pairs.map((p) => JSON.stringify([a[p.a], b[p.b], p.similarity])).sort();
}

describe('matching properties', () => {
  it('gives the same pairs when the two lists swap places', () => {
    fc.assert(
      fc.property(findings, findings, (a, b) => {
        const ab = pairedContent(matchFindings(a, b), a, b);
        const ba = matchFindings(b, a).pairs.map((p) =>
          JSON.stringify([a[p.b], b[p.a], p.similarity]),
        );
        expect(ba.sort()).toEqual(ab);
      }),
    );
  });

  it('gives the same pairs whatever order each list arrives in', () => {
    fc.assert(
      fc.property(
        findings.chain((a) => fc.tuple(fc.constant(a), permuted(a))),
        findings.chain((b) => fc.tuple(fc.constant(b), permuted(b))),
        ([a, a2], [b, b2]) => {
          expect(pairedContent(matchFindings(a2, b2), a2, b2)).toEqual(
            pairedContent(matchFindings(a, b), a, b),
          );
        },
      ),
    );
  });

  it('uses each finding at most once and accounts for every finding', () => {
    fc.assert(
      fc.property(findings, findings, (a, b) => {
        const r = matchFindings(a, b);
        const usedA = [...r.pairs.map((p) => p.a), ...r.unmatchedA].sort((x, y) => x - y);
        const usedB = [...r.pairs.map((p) => p.b), ...r.unmatchedB].sort((x, y) => x - y);
        expect(usedA).toEqual(a.map((_, i) => i));
        expect(usedB).toEqual(b.map((_, i) => i));
      }),
    );
  });

  it('only pairs candidates at or above the similarity threshold', () => {
    fc.assert(
      fc.property(findings, findings, (a, b) => {
        for (const p of matchFindings(a, b).pairs) {
          const [x, y] = [a[p.a] as ModelFinding, b[p.b] as ModelFinding];
          expect(isCandidatePair(x, y, DEFAULT_MATCH_OPTIONS.lineTolerance)).toBe(true);
          expect(p.similarity).toBeGreaterThanOrEqual(DEFAULT_MATCH_OPTIONS.similarityThreshold);
        }
      }),
    );
  });
});
