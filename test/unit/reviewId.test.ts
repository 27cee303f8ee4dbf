import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normaliseReviewRequest, reviewIdFor } from '../../domain/reviewId';
import type { ReviewRequest } from '../../domain/review';

const diff = readFileSync(join(__dirname, '../fixtures/diffs/multi-language.diff'), 'utf8');
const base: ReviewRequest = { diff, repository: 'acme/shop', title: 'Add e-mail to users' };
const VERSION = 'mc-2026.11.1';

describe('reviewIdFor', () => {
  it('is review- followed by the first 16 hex digits of SHA-256 of the normal form', () => {
    const id = reviewIdFor(base, VERSION);
    const expected = createHash('sha256')
      .update(normaliseReviewRequest(base, VERSION))
      .digest('hex');
    expect(id).toMatch(/^review-[0-9a-f]{16}$/);
    expect(id).toBe(`review-${expected.slice(0, 16)}`);
  });

  it('gives a CRLF diff the same id as its LF original', () => {
    const crlf = { ...base, diff: diff.replace(/\n/g, '\r\n') };
    expect(reviewIdFor(crlf, VERSION)).toBe(reviewIdFor(base, VERSION));
  });

  it('ignores trailing whitespace at the end of the diff', () => {
    expect(reviewIdFor({ ...base, diff: `${diff.trimEnd()}\n\n  \n` }, VERSION)).toBe(
      reviewIdFor({ ...base, diff: diff.trimEnd() }, VERSION),
    );
  });

  it('ignores the order and repetition of dimensions and language hints', () => {
    const a: ReviewRequest = {
      ...base,
      dimensions: ['security', 'correctness', 'security'],
      languageHints: ['Go', 'typescript'],
    };
    const b: ReviewRequest = {
      languageHints: ['TypeScript', 'go', 'go'],
      dimensions: ['correctness', 'security'],
      title: base.title,
      repository: base.repository,
      diff,
    };
    expect(reviewIdFor(a, VERSION)).toBe(reviewIdFor(b, VERSION));
  });

  it('treats all seven dimensions the same as no subset', () => {
    const all: ReviewRequest = {
      ...base,
      dimensions: [
        'documentation',
        'testing',
        'architecture',
        'maintainability',
        'performance',
        'security',
        'correctness',
      ],
    };
    expect(reviewIdFor(all, VERSION)).toBe(reviewIdFor(base, VERSION));
  });

  it('changes with anything that can change the review', () => {
    const id = reviewIdFor(base, VERSION);
    const variants: ReviewRequest[] = [
      { ...base, diff: diff.replace('>= 30*24', '> 31*24') },
      { ...base, repository: 'acme/other' },
      { ...base, title: 'Something else' },
      { ...base, description: 'Context for the reviewer' },
      { ...base, dimensions: ['security'] },
      { ...base, severityThreshold: 'high' },
      { ...base, languageHints: ['go'] },
    ];
    const ids = variants.map((v) => reviewIdFor(v, VERSION));
    expect(new Set([id, ...ids]).size).toBe(variants.length + 1);
    expect(reviewIdFor(base, 'mc-2026.11.2')).not.toBe(id);
  });

  it('is the same on every call', () => {
    const ids = Array.from({ length: 5 }, () => reviewIdFor({ ...base }, VERSION));
    expect(new Set(ids).size).toBe(1);
  });
});

describe('normaliseReviewRequest', () => {
  it('is canonical JSON with sorted keys and LF line endings', () => {
    const req: ReviewRequest = {
      severityThreshold: 'medium',
      diff: '--- a/x\r\n+++ b/x\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n\r\n',
      title: '  Fix  \r\n',
      dimensions: ['testing', 'correctness', 'testing'],
    };
    const normal = normaliseReviewRequest(req, 'v1');
    expect(normal).toBe(
      JSON.stringify({
        diff: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b',
        dimensions: ['correctness', 'testing'],
        modelConfigVersion: 'v1',
        severityThreshold: 'medium',
        title: 'Fix',
        v: 1,
      }),
    );
  });

  it('keeps leading whitespace and inner content of the diff exactly', () => {
    const req: ReviewRequest = { diff: ' \tdiff body with  spaces \n+x\t\n' };
    const parsed = JSON.parse(normaliseReviewRequest(req, 'v1')) as { diff: string };
    expect(parsed.diff).toBe(' \tdiff body with  spaces \n+x');
  });
});
