import type { CommitFacts } from './types';

/** The `local` provider's summary: a deterministic paragraph written from the analysis alone. */

export const LOCAL_SUMMARY_MODEL = 'local/commit-summary-v1';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function localSummary(facts: CommitFacts): string {
  const m = facts.message;
  const head = `${m.type}${m.scope ? `(${m.scope})` : ''}: ${m.subject}`.trim();
  const s = facts.stats;
  const parts = [
    `${head.endsWith('.') ? head : `${head}.`}`,
    m.conventional
      ? ''
      : `Not a Conventional Commit; read as \`${m.type}\` (${m.classification.reason}).`,
    s.files === 0
      ? 'The commit changes no files.'
      : `It touches ${plural(s.files, 'file')} (+${s.additions} −${s.deletions})` +
        (s.languages.length > 0 ? ` in ${s.languages.join(', ')}` : '') +
        (s.testFiles > 0 ? `, ${plural(s.testFiles, 'test file')} among them.` : '.'),
    `Semver impact: ${facts.impact}.`,
    facts.breakingChanges.length > 0
      ? `Breaking: ${facts.breakingChanges
          .map((b) => b.description)
          .slice(0, 3)
          .join('; ')}` +
        (facts.breakingChanges.length > 3 ? `; and ${facts.breakingChanges.length - 3} more.` : '.')
      : '',
    `Risk ${facts.risk.score}/100 (${facts.risk.level})` +
      (facts.risk.factors.length > 0
        ? `, mostly from ${[...facts.risk.factors]
            .sort((a, b) => b.points - a.points)
            .slice(0, 2)
            .map((f) => f.detail)
            .join(' and ')}.`
        : '.'),
  ];
  return parts.filter((p) => p !== '').join(' ');
}
