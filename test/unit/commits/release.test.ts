import fc from 'fast-check';
import semver from 'semver';
import { proposeRelease, type ReleaseEntry } from '../../../domain/commits/release';
import { nextVersion } from '../../../domain/commits/semver';
import { COMMIT_TYPES, IMPACTS, type SemverImpact } from '../../../domain/commits/types';

function entry(
  i: number,
  type: (typeof COMMIT_TYPES)[number],
  impact: SemverImpact,
  breaking = false,
): ReleaseEntry {
  return {
    sha: i.toString(16).padStart(40, '0'),
    message: {
      conventional: true,
      type,
      scope: null,
      subject: `change ${i}`,
      body: null,
      footers: [],
      breaking,
      breakingNotes: breaking ? [`break ${i}`] : [],
      classification: { method: 'conventional', confidence: 1, reason: 'test' },
    },
    breakingChanges: breaking
      ? [{ kind: 'message', source: 'message', description: `break ${i}` }]
      : [],
    impact,
    impactReasons: [{ impact, reason: `because ${i}` }],
  };
}

const arbEntry = fc
  .tuple(fc.nat({ max: 1_000_000 }), fc.constantFrom(...COMMIT_TYPES), fc.constantFrom(...IMPACTS))
  .map(([i, type, impact]) => entry(i, type, impact, impact === 'major'));
const arbVersion = fc
  .tuple(fc.nat({ max: 20 }), fc.nat({ max: 20 }), fc.nat({ max: 20 }))
  .map(([a, b, c]) => `${a}.${b}.${c}`);

describe('release proposal from a batch', () => {
  it('proposes the same version whatever the order of the commits', () => {
    fc.assert(
      fc.property(
        arbVersion,
        fc.array(arbEntry, { maxLength: 30 }),
        fc.infiniteStream(fc.nat()),
        (v, entries, seeds) => {
          const shuffled = [...entries].sort(() => (seeds.next().value % 3) - 1);
          expect(proposeRelease(v, shuffled).nextVersion).toBe(
            proposeRelease(v, entries).nextVersion,
          );
        },
      ),
    );
  });

  it('never proposes a lower version when commits are added (monotone)', () => {
    fc.assert(
      fc.property(
        arbVersion,
        fc.array(arbEntry, { maxLength: 20 }),
        fc.array(arbEntry, { maxLength: 20 }),
        (v, a, b) => {
          const small = proposeRelease(v, a).nextVersion;
          const big = proposeRelease(v, [...a, ...b]).nextVersion;
          expect(semver.gte(big, small)).toBe(true);
          expect(semver.gte(small, v)).toBe(true);
        },
      ),
    );
  });

  it('keeps the version when nothing releasable changed, and bumps by the highest impact', () => {
    expect(proposeRelease('1.4.2', [entry(1, 'docs', 'none')]).nextVersion).toBe('1.4.2');
    expect(
      proposeRelease('1.4.2', [entry(1, 'fix', 'patch'), entry(2, 'feat', 'minor')]).nextVersion,
    ).toBe('1.5.0');
    expect(proposeRelease('1.4.2', [entry(1, 'fix', 'major', true)]).nextVersion).toBe('2.0.0');
    expect(nextVersion('2.0.0-rc.1', 'major')).toBe('2.0.0');
  });

  it('bumps the minor for a breaking change before 1.0.0', () => {
    const p = proposeRelease('0.3.1', [entry(1, 'feat', 'major', true)]);
    expect(p.nextVersion).toBe('0.4.0');
    expect(p.decidedBy).toEqual([{ sha: entry(1, 'feat', 'major').sha, reason: 'because 1' }]);
  });

  it('writes a changelog with breaking changes first, then sections in type order, then failures', () => {
    const p = proposeRelease(
      '1.0.0',
      [entry(1, 'fix', 'patch'), entry(2, 'feat', 'major', true), entry(3, 'docs', 'none')],
      [{ sha: 'f'.repeat(40), error: 'InvalidCommit: not a diff' }],
    );
    const headings = p.changelog.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '## 2.0.0',
      '### ⚠ BREAKING CHANGES',
      '### Features',
      '### Bug Fixes',
      '### Documentation',
      '### Not analysed',
    ]);
    expect(p.changelog).toContain('* break 2 (0000000)');
    expect(p.counts).toMatchObject({ feat: 1, fix: 1, docs: 1, chore: 0 });
  });
});
