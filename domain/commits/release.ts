import { z } from 'zod';
import { maxImpact, nextVersion, type BumpOptions } from './semver';
import { COMMIT_TYPES, CommitType, SemverImpact, type CommitFacts } from './types';

/** A batch of analysed commits → the release it proposes: next version and changelog. */

export const ReleaseProposal = z.object({
  currentVersion: z.string(),
  nextVersion: z.string(),
  impact: SemverImpact,
  /** the commits that decided the impact (all commits of the highest impact) */
  decidedBy: z.array(z.object({ sha: z.string(), reason: z.string() })),
  counts: z.record(CommitType, z.number().int()),
  breakingChanges: z.number().int(),
  analysed: z.number().int(),
  failed: z.array(z.object({ sha: z.string(), error: z.string() })),
  changelog: z.string(),
});
export type ReleaseProposal = z.infer<typeof ReleaseProposal>;

export type ReleaseEntry = Pick<
  CommitFacts,
  'sha' | 'message' | 'breakingChanges' | 'impact' | 'impactReasons'
>;

const SECTION_TITLES: Record<CommitType, string> = {
  feat: 'Features',
  fix: 'Bug Fixes',
  perf: 'Performance Improvements',
  revert: 'Reverts',
  refactor: 'Code Refactoring',
  docs: 'Documentation',
  style: 'Styles',
  test: 'Tests',
  build: 'Build System',
  ci: 'Continuous Integration',
  chore: 'Miscellaneous Chores',
};

const short = (sha: string): string => sha.slice(0, 7);
const scoped = (e: ReleaseEntry): string => (e.message.scope ? `**${e.message.scope}:** ` : '');
/** Markdown in a subject must not open a heading or a list inside the changelog. */
const inline = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function renderChangelog(
  version: string,
  entries: readonly ReleaseEntry[],
  failed: readonly { sha: string; error: string }[],
): string {
  const out: string[] = [`## ${version}`, ''];
  const breaking = entries.filter((e) => e.breakingChanges.length > 0);
  if (breaking.length > 0) {
    out.push('### ⚠ BREAKING CHANGES', '');
    for (const e of breaking) {
      for (const b of e.breakingChanges) {
        out.push(`* ${scoped(e)}${inline(b.description)} (${short(e.sha)})`);
      }
    }
    out.push('');
  }
  for (const type of COMMIT_TYPES) {
    const group = entries.filter((e) => e.message.type === type);
    if (group.length === 0) continue;
    out.push(`### ${SECTION_TITLES[type]}`, '');
    for (const e of group) out.push(`* ${scoped(e)}${inline(e.message.subject)} (${short(e.sha)})`);
    out.push('');
  }
  if (failed.length > 0) {
    out.push('### Not analysed', '');
    for (const f of failed) out.push(`* ${short(f.sha)}: ${inline(f.error)}`);
    out.push('');
  }
  if (entries.length === 0 && failed.length === 0) out.push('No changes.', '');
  return out.join('\n');
}

/**
 * Order-independent by construction: the version depends only on the highest impact, and that
 * is a maximum over the set. The changelog keeps the order given (history order).
 */
export function proposeRelease(
  currentVersion: string,
  entries: readonly ReleaseEntry[],
  failed: readonly { sha: string; error: string }[] = [],
  opts: BumpOptions = {},
): ReleaseProposal {
  const impact = maxImpact(entries.map((e) => e.impact));
  const next = nextVersion(currentVersion, impact, opts);
  const counts = Object.fromEntries(COMMIT_TYPES.map((t) => [t, 0])) as Record<CommitType, number>;
  for (const e of entries) counts[e.message.type] += 1;
  const decidedBy =
    impact === 'none'
      ? []
      : entries
          .filter((e) => e.impact === impact)
          .map((e) => ({
            sha: e.sha,
            reason: e.impactReasons.find((r) => r.impact === impact)?.reason ?? impact,
          }));
  return {
    currentVersion,
    nextVersion: next,
    impact,
    decidedBy,
    counts,
    breakingChanges: entries.reduce((n, e) => n + e.breakingChanges.length, 0),
    analysed: entries.length,
    failed: [...failed],
    changelog: renderChangelog(next, entries, failed),
  };
}
