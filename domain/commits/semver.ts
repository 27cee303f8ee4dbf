import semver from 'semver';
import type {
  BreakingChange,
  CommitType,
  ImpactReason,
  ParsedMessage,
  SemverImpact,
} from './types';
import { IMPACT_RANK, IMPACTS } from './types';

/** What a commit means for the version number, with every rule that fired as a reason. */

const TYPE_IMPACT: Record<CommitType, SemverImpact> = {
  feat: 'minor',
  fix: 'patch',
  perf: 'patch',
  revert: 'patch',
  refactor: 'none',
  docs: 'none',
  style: 'none',
  test: 'none',
  build: 'none',
  ci: 'none',
  chore: 'none',
};

const TYPE_REASON: Record<SemverImpact, string> = {
  major: '',
  minor: 'a new feature',
  patch: 'a fix users can observe',
  none: 'no change to the public behaviour',
};

export function maxImpact(impacts: Iterable<SemverImpact>): SemverImpact {
  let best = 0;
  for (const i of impacts) best = Math.max(best, IMPACT_RANK[i]);
  return IMPACTS[best] ?? 'none';
}

export function commitImpact(
  message: ParsedMessage,
  breaking: readonly BreakingChange[],
): { impact: SemverImpact; reasons: ImpactReason[] } {
  const reasons: ImpactReason[] = [];
  for (const b of breaking) reasons.push({ impact: 'major', reason: `breaking: ${b.description}` });
  const typeImpact = TYPE_IMPACT[message.type];
  const how = message.conventional ? 'type' : `classified as (${message.classification.reason})`;
  reasons.push({
    impact: typeImpact,
    reason: `${how} \`${message.type}\`: ${TYPE_REASON[typeImpact]}`,
  });
  return { impact: maxImpact(reasons.map((r) => r.impact)), reasons };
}

export interface BumpOptions {
  /**
   * Below 1.0.0 the public API is not yet stable (semver §4): a breaking change bumps the minor,
   * as release-please's bump-minor-pre-major does; leaving 0.x is a deliberate human decision.
   */
  preMajorShift?: boolean;
}

/** The next version after `current` for an aggregate impact; `none` keeps the version. */
export function nextVersion(current: string, impact: SemverImpact, opts: BumpOptions = {}): string {
  const parsed = semver.parse(current);
  if (!parsed) throw new RangeError(`not a semantic version: ${current}`);
  if (impact === 'none') return parsed.version;
  let release: 'major' | 'minor' | 'patch' = impact;
  if ((opts.preMajorShift ?? true) && parsed.major === 0) {
    release = impact === 'major' ? 'minor' : impact;
  }
  // a prerelease of the target already counts: 2.0.0-rc.1 + major → 2.0.0
  const next = semver.inc(parsed.version, release);
  if (!next) throw new RangeError(`cannot bump ${current} by ${release}`);
  return next;
}
