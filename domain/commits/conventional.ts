import type { CommitType, Footer, ParsedMessage } from './types';
import { COMMIT_TYPES } from './types';

/**
 * Conventional Commits 1.0 parsing (header, body, git-trailer style footers, `!` and
 * BREAKING CHANGE), and a fallback classification for the many messages that do not follow it.
 */

const HEADER =
  /^(?<type>[A-Za-z][\w-]*)(?:\((?<scope>[^()\r\n]*)\))?(?<bang>!)?:[ \t]+(?<subject>\S.*)$/;
/** `Token: value`, `Token #value`, and the two spellings the spec gives BREAKING CHANGE. */
const FOOTER = /^(?<token>BREAKING[ -]CHANGE|[A-Za-z][\w-]*)(?::[ \t]+|[ \t]+#)(?<value>.*)$/;
const BREAKING_TOKEN = /^BREAKING[ -]CHANGE$/;
const BREAKING_WORDS =
  /^breaking\b|\bbreaking change\b|\bdrop(s|ped)? support\b|\bno longer (supports?|accepts?|exports?|ships?)\b/i;

/** Spellings seen in real histories that mean a standard type. */
const TYPE_ALIASES: Record<string, CommitType> = {
  feature: 'feat',
  features: 'feat',
  bugfix: 'fix',
  hotfix: 'fix',
  bug: 'fix',
  doc: 'docs',
  tests: 'test',
  performance: 'perf',
  deps: 'build',
  dep: 'build',
  release: 'chore',
  refactoring: 'refactor',
};

function knownType(raw: string): CommitType | undefined {
  const t = raw.toLowerCase();
  if ((COMMIT_TYPES as readonly string[]).includes(t)) return t as CommitType;
  return TYPE_ALIASES[t];
}

/** The footer block is the trailing run of lines that starts with a token after a blank line. */
function splitFooters(lines: string[]): { body: string[]; footers: Footer[] } {
  let start = -1;
  for (let i = 0; i < lines.length; i += 1) {
    const prevBlank = i === 0 || lines[i - 1]?.trim() === '';
    if (prevBlank && FOOTER.test(lines[i] ?? '')) {
      start = i;
      break;
    }
  }
  if (start < 0) return { body: lines, footers: [] };
  const footers: Footer[] = [];
  for (const line of lines.slice(start)) {
    const m = FOOTER.exec(line);
    const last = footers[footers.length - 1];
    if (m?.groups) {
      const token = BREAKING_TOKEN.test(m.groups.token ?? '')
        ? 'BREAKING CHANGE'
        : (m.groups.token ?? '');
      footers.push({ token, value: m.groups.value ?? '' });
    } else if (last) {
      last.value = `${last.value}\n${line}`;
    }
  }
  for (const f of footers) f.value = f.value.trim();
  return { body: lines.slice(0, start), footers };
}

function trimBlock(lines: string[]): string | null {
  const text = lines.join('\n').trim();
  return text === '' ? null : text;
}

export interface MessageParts {
  header: string;
  conventional: { type: CommitType; scope: string | null; bang: boolean; subject: string } | null;
  body: string | null;
  footers: Footer[];
  breakingNotes: string[];
}

export function splitMessage(message: string): MessageParts {
  const lines = message.replace(/\r\n?/g, '\n').replace(/^\n+/, '').split('\n');
  const header = (lines[0] ?? '').trim();
  const rest = lines.slice(1);
  const { body, footers } = splitFooters(rest);
  const m = HEADER.exec(header);
  const type = m?.groups ? knownType(m.groups.type ?? '') : undefined;
  const conventional =
    m?.groups && type
      ? {
          type,
          scope: m.groups.scope?.trim() ? m.groups.scope.trim() : null,
          bang: m.groups.bang === '!',
          subject: (m.groups.subject ?? '').trim(),
        }
      : null;
  const notes = footers.filter((f) => f.token === 'BREAKING CHANGE').map((f) => f.value);
  // conventional-changelog also honours a BREAKING CHANGE paragraph inside the body
  for (const line of body) {
    const b = /^BREAKING[ -]CHANGES?:\s*(.+)$/.exec(line.trim());
    if (b?.[1]) notes.push(b[1].trim());
  }
  return { header, conventional, body: trimBlock(body), footers, breakingNotes: notes };
}

export type Classification = ParsedMessage['classification'] & { type: CommitType };

/** Parses a message; non-conventional messages get the type `classify` gives them. */
export function parseCommitMessage(
  message: string,
  classify: (header: string, body: string | null) => Classification,
): ParsedMessage {
  const parts = splitMessage(message);
  const c = parts.conventional;
  const breaking = (c?.bang ?? false) || parts.breakingNotes.length > 0;
  const breakingNotes =
    parts.breakingNotes.length > 0 ? parts.breakingNotes : c?.bang ? [c.subject] : [];
  if (c) {
    return {
      conventional: true,
      type: c.type,
      scope: c.scope,
      subject: c.subject,
      body: parts.body,
      footers: parts.footers,
      breaking,
      breakingNotes,
      classification: {
        method: 'conventional',
        confidence: 1,
        reason: 'Conventional Commits header',
      },
    };
  }
  const { type, ...classification } = classify(parts.header, parts.body);
  // without a `!` the words are all there is; only phrases that say it outright count
  const said = BREAKING_WORDS.test(parts.header);
  return {
    conventional: false,
    type,
    scope: null,
    subject: parts.header,
    body: parts.body,
    footers: parts.footers,
    breaking: breaking || said,
    breakingNotes: said && breakingNotes.length === 0 ? [parts.header] : breakingNotes,
    classification,
  };
}
