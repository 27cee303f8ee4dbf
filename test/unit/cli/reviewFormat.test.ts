import type { ReviewView } from '../../../api/reviewView';
import { HELP, parseReviewArgs, UsageError } from '../../../cli/review';
import { exceedsThreshold, formatReview } from '../../../cli/reviewFormat';
import type { Finding } from '../../../domain/review';
import { summarise } from '../../../domain/verdict';

function finding(over: Partial<Finding>): Finding {
  return {
    id: 'f-1',
    file: 'src/a.ts',
    startLine: 3,
    endLine: 3,
    dimension: 'security',
    severity: 'high',
    title: 'Hard-coded secret in source code',
    explanation: 'A credential is written into the code.',
    confidence: 0.85,
    bucket: 'high',
    agreement: 'both',
    raisedBy: ['local:rules', 'local:ast'],
    status: 'open',
    ...over,
  };
}

function view(findings: Finding[], over: Partial<ReviewView> = {}): ReviewView {
  return {
    id: 'review-0123456789abcdef',
    status: 'completed',
    repository: 'acme/shop',
    title: 'users',
    modelConfigVersion: 'mc-000000000000',
    progress: null,
    verdict: 'request_changes',
    summary: summarise(findings),
    findings,
    pendingDecisions: [],
    decisions: [],
    coverage: [
      { file: 'src/a.ts', outcome: 'reviewed' },
      { file: 'logo.png', outcome: 'skipped', reason: 'binary' },
    ],
    redactions: [{ file: 'src/a.ts', line: 3, kind: 'stripe_key' }],
    stats: { files: 2, additions: 10, deletions: 0 },
    provenance: [],
    timings: { createdAt: '2026-01-01T00:00:00.000Z', completedAt: null, durationMs: null },
    error: null,
    links: { self: '/r', findings: '/r/findings' },
    ...over,
  };
}

const two = [
  finding({ id: 'f-1', file: 'src/a.ts' }),
  finding({
    id: 'f-2',
    file: 'src/b.ts',
    severity: 'critical',
    title: 'SQL injection',
    startLine: 7,
    endLine: 9,
  }),
  finding({
    id: 'f-3',
    file: 'src/a.ts',
    severity: 'low',
    dimension: 'documentation',
    title: 'No doc comment',
  }),
];

describe('formatReview', () => {
  it('groups findings under their file, in the order the review gives them', () => {
    const text = formatReview(view(two), { color: false });
    const a = text.indexOf('\nsrc/a.ts\n');
    const b = text.indexOf('\nsrc/b.ts\n');
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    expect(text.indexOf('No doc comment')).toBeGreaterThan(a);
    expect(text.indexOf('No doc comment')).toBeLessThan(b);
    expect(text).toContain('lines 7-9');
    expect(text.split('\n')[0]).toBe(
      'review-0123456789abcdef · completed · request_changes · 3 findings (1 critical, 1 high, 1 low)',
    );
    expect(text).toContain('  skipped logo.png (binary)');
    expect(text).toContain('Redacted before review: stripe_key at src/a.ts:3');
  });

  it('colours severities only when asked to', () => {
    expect(formatReview(view(two), { color: false })).not.toContain('\u001b[');
    const coloured = formatReview(view(two), { color: true });
    expect(coloured).toContain('\u001b[31m'); // red for critical and high
  });

  it('lists findings waiting for a human with where to send the decision', () => {
    const disputed = finding({ id: 'f-9', severity: 'critical', agreement: 'disputed' });
    const text = formatReview(
      view([disputed], {
        status: 'needs_manual_review',
        verdict: null,
        pendingDecisions: [disputed],
      }),
      { color: false },
    );
    expect(text).toContain('Waiting for a human decision on 1 disputed finding:');
    expect(text).toContain('POST /r/findings/f-9/decision');
  });
});

describe('exceedsThreshold', () => {
  it('counts findings at or above the severity, except dismissed ones', () => {
    expect(exceedsThreshold(view(two), 'critical')).toBe(true);
    expect(exceedsThreshold(view([finding({ severity: 'medium' })]), 'high')).toBe(false);
    expect(
      exceedsThreshold(view([finding({ severity: 'critical', status: 'dismissed' })]), 'info'),
    ).toBe(false);
  });
});

describe('parseReviewArgs', () => {
  it('reads the source and options', () => {
    expect(parseReviewArgs(['-', '--json', '--fail-on', 'high', '--title', 't'])).toEqual({
      source: '-',
      json: true,
      failOn: 'high',
      repository: undefined,
      title: 't',
      timeoutSeconds: 600,
    });
    expect(parseReviewArgs(['--help'])).toBe('help');
  });

  it('refuses a missing source and an unknown severity', () => {
    expect(() => parseReviewArgs([])).toThrow(UsageError);
    expect(() => parseReviewArgs(['a.diff', '--fail-on', 'urgent'])).toThrow(
      /--fail-on takes one of/,
    );
  });

  it('documents its exit codes', () => {
    for (const code of ['0  ', '1  ', '2  ', '3  ', '4  ', '5  '])
      expect(HELP).toContain(`  ${code}`);
  });
});
