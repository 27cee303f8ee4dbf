import type { Classification } from './conventional';
import { fileKind, type FileKind } from './paths';
import type { CommitType } from './types';

/**
 * Types for messages that do not follow Conventional Commits: first the words of the header
 * (ordered rules, first match wins), then what the diff touches, then `chore`.
 */

const KEYWORD_RULES: readonly { type: CommitType; pattern: RegExp; reason: string }[] = [
  { type: 'revert', pattern: /^revert\b/i, reason: 'starts with "Revert"' },
  {
    type: 'chore',
    pattern: /^merge (pull request|branch|remote-tracking|tag)\b/i,
    reason: 'merge commit',
  },
  {
    type: 'chore',
    pattern: /^(release|bump version|v?\d+\.\d+\.\d+$|version \d)/i,
    reason: 'release commit',
  },
  {
    type: 'docs',
    pattern:
      /\b(readme|docs?|documentation|document(s|ed)?|changelog|jsdoc|docstrings?|typos?|examples?)\b/i,
    reason: 'mentions documentation',
  },
  {
    type: 'ci',
    pattern: /\b(ci|github actions?|travis|circleci|gitlab-ci|pipelines?)\b/i,
    reason: 'mentions CI',
  },
  {
    type: 'test',
    pattern:
      /^(add(ed|s)? |update[sd]? |fix(ed|es)? )?(unit |integration |e2e )?(tests?|specs?)\b|\btest coverage\b/i,
    reason: 'about tests',
  },
  {
    type: 'perf',
    pattern: /\b(perf|performance|faster|speed ?up|optimi[sz](e|es|ed|ation))\b/i,
    reason: 'mentions performance',
  },
  {
    type: 'build',
    pattern:
      /\b(bump|upgrade|downgrade|deps|dependenc(y|ies)|lockfile|package\.json|webpack|rollup|tsconfig)\b/i,
    reason: 'mentions dependencies or the build',
  },
  {
    type: 'fix',
    pattern:
      /\b(fix(e[sd]|ing)?|bugs?|patch|resolve[sd]?|correct(s|ed|ly)?|properly|hotfix|crash(es)?|regression|prevent|handle[sd]?|avoid|broken|issue|don'?t|do not|doesn'?t|missing|wrong|incorrect|invalid|errors?|fail(s|ing|ure)?|ensure|instead of|no longer|restore[sd]?|align)\b/i,
    reason: 'describes a fix',
  },
  {
    type: 'style',
    pattern: /\b(format(ting)?|prettier|lint(ing)?|whitespace|code style)\b/i,
    reason: 'mentions formatting',
  },
  {
    type: 'refactor',
    pattern:
      /\b(refactor(ing|ed)?|restructure|rename[sd]?|clean ?up|simplif(y|ies|ied)|extract(ed)?|reorgani[sz]e|move[sd]?|split)\b/i,
    reason: 'describes a refactoring',
  },
  {
    type: 'feat',
    pattern:
      /^(add(s|ed)?|implement(s|ed)?|introduce[sd]?|support(s)?|new|create[sd]?|allow(s)?|enable[sd]?|expose[sd]?|provide[sd]?)\b/i,
    reason: 'describes new behaviour',
  },
];

/** The per-file facts the fallback needs; computed from the diff by the caller. */
export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
}

function byDiff(files: readonly ChangedFile[]): Classification | undefined {
  if (files.length === 0) return undefined;
  const kinds = new Set<FileKind>(files.map((f) => fileKind(f.path)));
  const only = (k: FileKind) => kinds.size === 1 && kinds.has(k);
  const typeOf: Partial<Record<FileKind, CommitType>> = {
    test: 'test',
    docs: 'docs',
    ci: 'ci',
    build: 'build',
  };
  for (const k of ['test', 'docs', 'ci', 'build'] as const) {
    if (only(k)) {
      return {
        type: typeOf[k] ?? 'chore',
        method: 'diff',
        confidence: 0.7,
        reason: `only ${k} files changed`,
      };
    }
  }
  const code = files.filter((f) => fileKind(f.path) === 'code');
  const added = code.filter((f) => f.status === 'added').length;
  if (code.length > 0 && added * 2 >= code.length) {
    return { type: 'feat', method: 'diff', confidence: 0.5, reason: 'mostly new source files' };
  }
  return undefined;
}

function byKeyword(text: string): Classification | undefined {
  const rule = KEYWORD_RULES.find((r) => r.pattern.test(text));
  return rule && { type: rule.type, method: 'keyword', confidence: 0.6, reason: rule.reason };
}

/**
 * Long headers list many things ("Store layer: pool, migrations, …; fix X"): the words before
 * the first `:`, `;` or `(` name the change, the rest are details, so they are read first, then
 * the diff, and only then the whole header.
 */
export function classifyMessage(header: string, files: readonly ChangedFile[]): Classification {
  const lead = header.split(/[:;(]| — /)[0] ?? header;
  const found = byKeyword(lead) ?? byDiff(files) ?? byKeyword(header);
  if (found) return found;
  return {
    type: 'chore',
    method: 'default',
    confidence: 0.2,
    reason: 'no signal in message or diff',
  };
}
