import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import {
  ConsensusPolicy,
  DEFAULT_CONSENSUS_POLICY,
  DecisionError,
  HIGH_BUCKET,
  MEDIUM_BUCKET,
  applyDecision,
  bucketFor,
  compareFindings,
  expireDisputed,
  runConsensus,
  sortFindings,
  voteFindings,
} from '../../domain/consensus';
import type { ConsensusInput } from '../../domain/consensus';
import { Finding } from '../../domain/review';
import type { ModelFinding } from '../../domain/review';
import { filterByThreshold, summarise, verdictFor } from '../../domain/verdict';

const PRIMARY = 'anthropic/claude-sonnet-4-5';
const VERIFIER = 'openai/gpt-5.1';

function mf(over: Partial<ModelFinding> = {}): ModelFinding {
  return {
    file: 'src/db.ts',
    startLine: 10,
    endLine: 12,
    dimension: 'security',
    severity: 'high',
    title: 'SQL injection in query',
    explanation: 'User input is concatenated into the SQL string.',
    confidence: 0.9,
    ...over,
  };
}

function consensus(primary: ModelFinding[], verifier: ModelFinding[], policy = {}) {
  return runConsensus(
    {
      primary: { model: PRIMARY, findings: primary },
      verifier: { model: VERIFIER, findings: verifier },
    },
    policy,
  );
}

function only(primary: ModelFinding[], verifier: ModelFinding[], policy = {}): Finding {
  const { findings } = consensus(primary, verifier, policy);
  expect(findings).toHaveLength(1);
  return findings[0] as Finding;
}

describe('the consensus protocol table', () => {
  it('agrees a critical finding raised by both models with high confidence', () => {
    const r = consensus(
      [mf({ severity: 'critical', confidence: 0.9 })],
      [mf({ severity: 'critical', confidence: 0.8 })],
    );
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      agreement: 'both',
      status: 'open',
      bucket: 'high',
      confidence: 0.85,
      raisedBy: [PRIMARY, VERIFIER],
    });
    expect(r.needsHuman).toEqual([]);
  });

  it('lifts an agreed critical finding to the high bucket even when both models are unsure', () => {
    const f = only(
      [mf({ severity: 'critical', confidence: 0.4 })],
      [mf({ severity: 'critical', confidence: 0.6 })],
    );
    expect(f).toMatchObject({ agreement: 'both', confidence: HIGH_BUCKET, bucket: 'high' });
  });

  it('holds a disputed critical finding for a human', () => {
    const r = consensus([mf({ severity: 'critical', confidence: 0.9 })], []);
    const f = r.findings[0] as Finding;
    expect(f).toMatchObject({ agreement: 'disputed', status: 'open', confidence: 0.27 });
    expect(f.bucket).toBe('low');
    expect(r.needsHuman).toEqual([f.id]);
  });

  it('disputes a critical finding only the verifier raised', () => {
    const r = consensus([], [mf({ severity: 'critical', confidence: 0.5 })]);
    expect(r.findings[0]).toMatchObject({ agreement: 'disputed', raisedBy: [VERIFIER] });
    expect(r.needsHuman).toHaveLength(1);
  });

  it('does not dispute a security finding rated high by one model', () => {
    const r = consensus([mf({ severity: 'high', dimension: 'security' })], []);
    expect(r.findings[0]).toMatchObject({ agreement: 'primary_only', severity: 'high' });
    expect(r.needsHuman).toEqual([]);
  });

  it('accepts a high finding from one model alone', () => {
    const f = only([mf({ severity: 'high', confidence: 0.9 })], []);
    expect(f).toMatchObject({
      agreement: 'primary_only',
      status: 'open',
      confidence: 0.63,
      bucket: 'medium',
      raisedBy: [PRIMARY],
    });
  });

  it('boosts a high finding both models raised above either one alone', () => {
    const both = only([mf({ confidence: 0.8 })], [mf({ confidence: 0.9 })]);
    const alone = only([mf({ confidence: 0.9 })], []);
    expect(both).toMatchObject({ agreement: 'both', confidence: 0.85, bucket: 'high' });
    expect(both.confidence).toBeGreaterThan(alone.confidence);
  });

  it('averages the confidence of a medium finding both models raised', () => {
    const f = only(
      [mf({ severity: 'medium', confidence: 0.6 })],
      [mf({ severity: 'medium', confidence: 0.8 })],
    );
    expect(f).toMatchObject({ agreement: 'both', confidence: 0.7, bucket: 'medium' });
  });

  it('keeps a low finding raised by one model', () => {
    const f = only([], [mf({ severity: 'low', dimension: 'maintainability', confidence: 0.5 })]);
    expect(f).toMatchObject({
      agreement: 'verifier_only',
      severity: 'low',
      confidence: 0.35,
      bucket: 'low',
      status: 'open',
    });
  });

  it('keeps an info finding raised by one model', () => {
    const f = only([mf({ severity: 'info', dimension: 'documentation', confidence: 1 })], []);
    expect(f).toMatchObject({ agreement: 'primary_only', confidence: 0.7, bucket: 'medium' });
  });
});

describe('score multipliers', () => {
  it('scores one model at c × 0.7', () => {
    expect(only([mf({ confidence: 0.5 })], []).confidence).toBe(0.35);
  });

  it('scores both models at the average of their confidences × 1.0', () => {
    expect(only([mf({ confidence: 0.2 })], [mf({ confidence: 0.6 })]).confidence).toBe(0.4);
  });

  it('scores a disputed finding at max(c) × 0.3', () => {
    expect(only([mf({ severity: 'critical', confidence: 0.7 })], []).confidence).toBe(0.21);
  });

  it('takes its multipliers from the policy of the model-config version', () => {
    const policy = { singleModelFactor: 0.5, bothFactor: 0.9, disputedFactor: 0.1 };
    expect(only([mf({ confidence: 0.8 })], [], policy).confidence).toBe(0.4);
    expect(only([mf({ confidence: 0.8 })], [mf({ confidence: 0.6 })], policy).confidence).toBe(
      0.63,
    );
    expect(only([mf({ severity: 'critical', confidence: 0.8 })], [], policy).confidence).toBe(0.08);
  });

  it('never scores above 1 even with a generous policy', () => {
    expect(
      only([mf({ confidence: 1 })], [mf({ confidence: 1 })], { bothFactor: 2 }).confidence,
    ).toBe(1);
  });

  it('rejects a policy whose medium bucket lies above its high bucket', () => {
    expect(() => ConsensusPolicy.parse({ highBucket: 0.4, mediumBucket: 0.6 })).toThrow();
  });
});

describe('confidence buckets', () => {
  it.each([
    [1, 'high'],
    [HIGH_BUCKET, 'high'],
    [0.7999, 'medium'],
    [MEDIUM_BUCKET, 'medium'],
    [0.4999, 'low'],
    [0, 'low'],
  ] as const)('puts confidence %p in the %s bucket', (confidence, bucket) => {
    expect(bucketFor(confidence)).toBe(bucket);
  });

  it('puts an agreed finding scoring exactly 0.8 in the high bucket', () => {
    expect(only([mf({ confidence: 0.7 })], [mf({ confidence: 0.9 })]).bucket).toBe('high');
  });

  it('puts an agreed finding scoring exactly 0.5 in the medium bucket and just below in low', () => {
    expect(only([mf({ confidence: 0.4 })], [mf({ confidence: 0.6 })]).bucket).toBe('medium');
    expect(only([mf({ confidence: 0.4 })], [mf({ confidence: 0.58 })]).bucket).toBe('low');
  });

  it('never lets one model alone reach the high bucket', () => {
    expect(only([mf({ confidence: 1 })], []).bucket).toBe('medium');
  });

  it('moves bucket boundaries with the policy', () => {
    expect(only([mf({ confidence: 1 })], [], { highBucket: 0.7 }).bucket).toBe('high');
  });
});

describe('merging an agreed finding', () => {
  it('takes the higher severity, the longer explanation, the union of lines and the primary fix', () => {
    const f = only(
      [mf({ severity: 'medium', startLine: 10, endLine: 11, suggestedFix: 'use $1' })],
      [
        mf({
          severity: 'high',
          startLine: 11,
          endLine: 14,
          explanation:
            'User input is concatenated into the SQL string; an attacker can read any row.',
          suggestedFix: 'use an ORM',
        }),
      ],
    );
    expect(f).toMatchObject({
      severity: 'high',
      startLine: 10,
      endLine: 14,
      explanation: 'User input is concatenated into the SQL string; an attacker can read any row.',
      suggestedFix: 'use $1',
    });
  });

  it('falls back to the verifier’s fix when the primary offers none', () => {
    expect(only([mf()], [mf({ suggestedFix: 'bind parameters' })]).suggestedFix).toBe(
      'bind parameters',
    );
  });

  it('lists a model once when the same model plays both roles', () => {
    const r = runConsensus({
      primary: { model: 'local/local', findings: [mf()] },
      verifier: { model: 'local/local', findings: [mf()] },
    });
    expect(r.findings[0]?.raisedBy).toEqual(['local/local']);
  });
});

describe('stable ids and canonical order', () => {
  it('derives the id from file, lines, dimension and normalised title', () => {
    const f = only([mf({ title: '  SQL  Injection, in query!' })], []);
    const key = 'src/db.ts|10|12|security|sql injection in query';
    expect(f.id).toBe('f-' + bytesToHex(sha256(utf8ToBytes(key))).slice(0, 12));
  });

  it('gives findings that share an id key distinct ids whatever their order', () => {
    const a = mf({ explanation: 'first wording of a distinct issue about tainted data' });
    const b = mf({ explanation: 'an unrelated second explanation of another problem entirely' });
    const x = consensus([a, b], []).findings;
    const y = consensus([b, a], []).findings;
    expect(new Set(x.map((f) => f.id)).size).toBe(2);
    expect(JSON.stringify(y)).toBe(JSON.stringify(x));
  });

  it('orders by file, lines, most severe first, then dimension', () => {
    const r = consensus(
      [
        mf({ file: 'b.ts', startLine: 1, endLine: 1 }),
        mf({ startLine: 5, endLine: 9, severity: 'low', dimension: 'testing', title: 'No test' }),
        mf({ startLine: 5, endLine: 9, severity: 'medium', dimension: 'testing', title: 'Flaky' }),
        mf({ startLine: 5, endLine: 8, dimension: 'correctness', title: 'Off by one' }),
      ],
      [],
    );
    expect(r.findings.map((f) => [f.file, f.startLine, f.endLine, f.severity])).toEqual([
      ['b.ts', 1, 1, 'high'],
      ['src/db.ts', 5, 8, 'high'],
      ['src/db.ts', 5, 9, 'medium'],
      ['src/db.ts', 5, 9, 'low'],
    ]);
  });

  it('produces findings that satisfy the Finding schema', () => {
    const r = consensus(
      [mf({ suggestedFix: 'x' }), mf({ severity: 'critical', file: 'c.ts' })],
      [mf()],
    );
    for (const f of r.findings) expect(Finding.parse(f)).toEqual(f);
    expect(JSON.stringify(r.findings.map((f) => Finding.parse(f)))).toBe(
      JSON.stringify(r.findings),
    );
  });
});

describe('human decisions on disputed findings', () => {
  const disputed = () =>
    consensus([mf({ severity: 'critical' }), mf({ file: 'z.ts', severity: 'medium' })], []);

  it('confirms a disputed finding, which then blocks the change', () => {
    const r = disputed();
    const id = r.needsHuman[0] as string;
    expect(verdictFor(r.findings)).toBe('comment');
    const after = applyDecision(r.findings, id, 'confirm');
    expect(after.find((f) => f.id === id)?.status).toBe('confirmed');
    expect(verdictFor(after)).toBe('request_changes');
  });

  it('dismisses a disputed finding, leaving the rest untouched', () => {
    const r = disputed();
    const id = r.needsHuman[0] as string;
    const after = applyDecision(r.findings, id, 'dismiss');
    expect(after.find((f) => f.id === id)?.status).toBe('dismissed');
    expect(after.filter((f) => f.id !== id)).toEqual(r.findings.filter((f) => f.id !== id));
  });

  it('refuses decisions on unknown, undisputed or already decided findings', () => {
    const r = disputed();
    const id = r.needsHuman[0] as string;
    const undisputed = r.findings.find((f) => f.agreement !== 'disputed') as Finding;
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof DecisionError ? e.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => applyDecision(r.findings, 'f-000000000000', 'confirm'))).toBe(
      'finding_not_found',
    );
    expect(codeOf(() => applyDecision(r.findings, undisputed.id, 'dismiss'))).toBe('not_disputed');
    const decided = applyDecision(r.findings, id, 'confirm');
    expect(codeOf(() => applyDecision(decided, id, 'dismiss'))).toBe('already_decided');
  });

  it('reports undecided disputed findings as unconfirmed when the wait times out', () => {
    const after = expireDisputed(disputed().findings);
    expect(after.map((f) => [f.agreement, f.status])).toEqual([
      ['disputed', 'unconfirmed'],
      ['primary_only', 'open'],
    ]);
    expect(verdictFor(after)).toBe('comment');
  });
});

describe('verdict, filtering and summary', () => {
  it('requests changes for an open high finding at medium confidence or better', () => {
    expect(verdictFor(consensus([mf({ confidence: 0.9 })], []).findings)).toBe('request_changes');
  });

  it('only comments on an open high finding at low confidence', () => {
    expect(verdictFor(consensus([mf({ confidence: 0.5 })], []).findings)).toBe('comment');
  });

  it('comments when only medium and lower findings remain', () => {
    expect(verdictFor(consensus([mf({ severity: 'medium' })], []).findings)).toBe('comment');
  });

  it('approves a review with no findings or only dismissed ones', () => {
    expect(verdictFor([])).toBe('approve');
    const r = consensus([mf({ severity: 'critical' })], []);
    expect(verdictFor(applyDecision(r.findings, r.needsHuman[0] as string, 'dismiss'))).toBe(
      'approve',
    );
  });

  it('filters by severity threshold and dimensions', () => {
    const { findings } = consensus(
      [
        mf({ severity: 'critical', file: 'a.ts' }),
        mf({ severity: 'low', file: 'b.ts' }),
        mf({ severity: 'medium', dimension: 'performance', file: 'c.ts' }),
      ],
      [],
    );
    expect(filterByThreshold(findings, 'medium').map((f) => f.file)).toEqual(['a.ts', 'c.ts']);
    expect(filterByThreshold(findings, undefined, ['performance']).map((f) => f.file)).toEqual([
      'c.ts',
    ]);
    expect(filterByThreshold(findings)).toEqual(findings);
  });

  it('counts findings by dimension, severity, agreement and status', () => {
    const { findings } = consensus([mf({ severity: 'critical' }), mf({ file: 'x.ts' })], [mf()]);
    const s = summarise(findings);
    expect(s.total).toBe(2);
    expect(s.byDimension).toMatchObject({ security: 2, testing: 0 });
    expect(s.bySeverity).toMatchObject({ critical: 1, high: 1, info: 0 });
    expect(s.byAgreement).toEqual({ both: 1, primary_only: 1, verifier_only: 0, disputed: 0 });
    expect(s.byStatus).toMatchObject({ open: 2, confirmed: 0 });
  });
});

/* ---- properties ---- */

const modelFinding: fc.Arbitrary<ModelFinding> = fc
  .record({
    file: fc.constantFrom('a.ts', 'b.py'),
    // a small space, so that collisions of id keys and competing matches are common
    startLine: fc.integer({ min: 1, max: 5 }),
    span: fc.integer({ min: 0, max: 2 }),
    dimension: fc.constantFrom('security' as const, 'correctness' as const),
    severity: fc.constantFrom(
      'critical' as const,
      'high' as const,
      'medium' as const,
      'low' as const,
    ),
    title: fc.constantFrom('SQL injection', 'Possible SQL injection', 'Null dereference', 'Leak'),
    explanation: fc.constantFrom('User input reaches the query.', 'May crash on null.', 'x'),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    suggestedFix: fc.option(fc.constantFrom('fix A', 'fix B'), { nil: undefined }),
  })
  .map(({ span, suggestedFix, ...f }) => ({
    ...f,
    endLine: f.startLine + span,
    ...(suggestedFix !== undefined ? { suggestedFix } : {}),
  }));

const findings = fc.array(modelFinding, { maxLength: 10 });
const withPermutation = findings.chain((xs) =>
  fc.tuple(
    fc.constant(xs),
    fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }),
  ),
);
const input = (primary: ModelFinding[], verifier: ModelFinding[]): ConsensusInput => ({
  primary: { model: PRIMARY, findings: primary },
  verifier: { model: VERIFIER, findings: verifier },
});

describe('consensus properties', () => {
  it('gives byte-identical output whatever order each model’s findings arrive in', () => {
    fc.assert(
      fc.property(withPermutation, withPermutation, ([p, p2], [v, v2]) => {
        expect(JSON.stringify(runConsensus(input(p2, v2)))).toBe(
          JSON.stringify(runConsensus(input(p, v))),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('gives every finding a unique id', () => {
    fc.assert(
      fc.property(findings, findings, (p, v) => {
        const ids = runConsensus(input(p, v)).findings.map((f) => f.id);
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });

  it('sorts canonically: sorting again changes nothing and no two findings compare equal', () => {
    fc.assert(
      fc.property(findings, findings, (p, v) => {
        const out = runConsensus(input(p, v)).findings;
        expect(sortFindings(out)).toEqual(out);
        expect(sortFindings([...out].reverse())).toEqual(out);
        out.forEach((x, i) =>
          out.forEach((y, j) => {
            if (i !== j) expect(compareFindings(x, y)).not.toBe(0);
          }),
        );
      }),
    );
  });

  it('keeps every confidence within [0, 1] and its bucket consistent', () => {
    fc.assert(
      fc.property(findings, findings, (p, v) => {
        for (const f of runConsensus(input(p, v)).findings) {
          expect(f.confidence).toBeGreaterThanOrEqual(0);
          expect(f.confidence).toBeLessThanOrEqual(1);
          expect(f.bucket).toBe(bucketFor(f.confidence));
        }
      }),
    );
  });

  it('represents every input finding in exactly one output finding', () => {
    fc.assert(
      fc.property(findings, findings, (p, v) => {
        const votes = voteFindings(input(p, v), DEFAULT_CONSENSUS_POLICY);
        const fromPrimary = votes.flatMap((x) => (x.primary === undefined ? [] : [x.primary]));
        const fromVerifier = votes.flatMap((x) => (x.verifier === undefined ? [] : [x.verifier]));
        expect(fromPrimary.sort((a, b) => a - b)).toEqual(p.map((_, i) => i));
        expect(fromVerifier.sort((a, b) => a - b)).toEqual(v.map((_, i) => i));
        for (const x of votes) {
          const src = [
            x.primary === undefined ? undefined : p[x.primary],
            x.verifier === undefined ? undefined : v[x.verifier],
          ].filter((s): s is ModelFinding => s !== undefined);
          for (const s of src) {
            expect(x.finding.file).toBe(s.file);
            expect(x.finding.startLine).toBeLessThanOrEqual(s.startLine);
            expect(x.finding.endLine).toBeGreaterThanOrEqual(s.endLine);
          }
        }
        const out = runConsensus(input(p, v));
        expect(out.findings).toHaveLength(votes.length);
        const both = out.findings.filter((f) => f.agreement === 'both').length;
        expect(out.findings.length).toBe(p.length + v.length - both);
      }),
    );
  });

  it('holds for a human exactly the critical findings only one model raised', () => {
    fc.assert(
      fc.property(findings, findings, (p, v) => {
        const out = runConsensus(input(p, v));
        const disputed = out.findings.filter((f) => f.agreement === 'disputed');
        expect(out.needsHuman).toEqual(disputed.map((f) => f.id));
        for (const f of disputed) {
          expect(f.severity).toBe('critical');
          expect(f.raisedBy).toHaveLength(1);
        }
      }),
    );
  });
});
