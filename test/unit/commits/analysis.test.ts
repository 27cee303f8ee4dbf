import { analyzeCommitFacts, prepareCommit } from '../../../domain/commits/analysis';
import { commitAnalysisId, commitInputHash, repositorySlug } from '../../../domain/commits/ids';
import { localSummary } from '../../../domain/commits/summary';
import { CommitInput } from '../../../domain/commits/types';
import { DiffError } from '../../../domain/diff';

const diff = [
  'diff --git a/src/auth/session.ts b/src/auth/session.ts',
  '--- a/src/auth/session.ts',
  '+++ b/src/auth/session.ts',
  '@@ -1,3 +1,3 @@',
  '-export function open(user: User): Session {',
  '+export function open(user: User, ttl: number): Session {',
  "   const key = 'AKIAIOSFODNN7EXAMPLE';",
  '   return new Session(user);',
  '',
].join('\n');
const input = CommitInput.parse({
  repository: 'github.com/Acme/Api.git',
  sha: 'ABCDEF1234567890ABCDEF1234567890ABCDEF12',
  message: 'feat(auth): sessions expire',
  author: 'Ada',
  diff,
});

function analyse(i: CommitInput) {
  const p = prepareCommit(i);
  return analyzeCommitFacts(p.input, p.files);
}

describe('commit analysis', () => {
  it('gives the same analysis, byte for byte, for the same commit', () => {
    expect(JSON.stringify(analyse(input))).toBe(
      JSON.stringify(analyse(CommitInput.parse({ ...input }))),
    );
    const crlf = CommitInput.parse({ ...input, diff: diff.replace(/\n/g, '\r\n') });
    expect(commitInputHash(prepareCommit(crlf).input)).toBe(
      commitInputHash(prepareCommit(input).input),
    );
    expect(localSummary(analyse(input))).toBe(localSummary(analyse(input)));
  });

  it('names the analysis after the repository and the lowercased sha', () => {
    expect(repositorySlug('github.com/Acme/Api.git')).toBe('acme-api');
    expect(commitAnalysisId(input.repository, input.sha)).toBe(
      'commit-acme-api-abcdef1234567890abcdef1234567890abcdef12',
    );
  });

  it('redacts secrets before anything downstream sees the diff', () => {
    const p = prepareCommit(input);
    expect(p.input.diff).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(p.redactions.length).toBeGreaterThan(0);
  });

  it('rates a re-signatured export in an auth path as a major, risky change with reasons', () => {
    const a = analyse(input);
    expect(a.impact).toBe('major');
    expect(a.impactReasons[0]?.reason).toMatch(/changed the signature of exported function `open`/);
    expect(a.risk.factors.map((f) => f.name)).toEqual([
      'churn',
      'files_touched',
      'sensitive_paths',
      'breaking_changes',
      'untested_code',
    ]);
    expect(a.risk.factors.find((f) => f.name === 'sensitive_paths')?.detail).toBe('touches auth');
    expect(a.risk.score).toBeGreaterThanOrEqual(40);
  });

  it('analyses an empty (merge) commit and refuses a diff that is not one', () => {
    const merge = analyse(CommitInput.parse({ ...input, message: 'Merge branch main', diff: '' }));
    expect(merge).toMatchObject({
      impact: 'none',
      stats: { files: 0 },
      risk: { score: 0, level: 'low' },
    });
    expect(() => prepareCommit(CommitInput.parse({ ...input, diff: 'hello' }))).toThrow(DiffError);
  });
});
