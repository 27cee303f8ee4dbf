import type { RuleMeta } from '../finding';
import { SWALLOWED_ERROR } from '../finding';
import type { SourceLine } from '../source';
import type { LineRule } from './context';
import { hit, indentOf } from './context';

const OPEN_HANDLER: Record<string, RegExp> = {
  ts: /\bcatch\s*(\([^)]*\))?\s*\{\s*(\}?)\s*$/,
  java: /\bcatch\s*\([^)]*\)\s*\{\s*(\}?)\s*$/,
  go: /\bif\s+err\s*!=\s*nil\s*\{\s*(\}?)\s*$/,
};

/** Empty catch blocks, `except: pass` and `if err != nil {}`: the error is dropped on the floor. */
const swallowedError: LineRule = (ctx) => {
  const lines = ctx.hunk.lines;
  const next = lines[ctx.index + 1] as SourceLine | undefined;
  if (ctx.file.family === 'py') {
    const m = /^\s*except\b[^:]*:\s*(pass|\.\.\.)?\s*$/.exec(ctx.code);
    if (!m) return [];
    if (m[1]) return [hit(ctx, SWALLOWED_ERROR, 0.85)];
    if (!next || !/^\s*(pass|\.\.\.)\s*(#.*)?$/.test(next.text)) return [];
    const after = lines[ctx.index + 2];
    const onlyStatement =
      !after || after.text.trim() === '' || indentOf(after.text) < indentOf(next.text);
    return onlyStatement ? [hit(ctx, SWALLOWED_ERROR, 0.85, undefined, ctx.index + 1)] : [];
  }
  const open = OPEN_HANDLER[ctx.file.family === 'other' ? 'ts' : ctx.file.family];
  const m = open?.exec(ctx.code);
  if (!m) return [];
  if (m[m.length - 1] === '}') return [hit(ctx, SWALLOWED_ERROR, 0.85)];
  return next && /^\s*\}/.test(next.text)
    ? [hit(ctx, SWALLOWED_ERROR, 0.85, undefined, ctx.index + 1)]
    : [];
};

const BARE_EXCEPT: RuleMeta = {
  id: 'broad-exception',
  dimension: 'correctness',
  severity: 'low',
  title: 'Overly broad exception handler',
  explanation:
    'Catching every exception (bare except, Exception, Throwable) also traps programming errors and interrupts, hiding bugs behind a generic recovery path.',
  suggestedFix: 'Catch the specific exception types this code knows how to handle.',
};

const broadException: LineRule = (ctx) => {
  const broad =
    ctx.file.family === 'py'
      ? /^\s*except\s*(BaseException|Exception)?\s*(as\s+\w+)?\s*:/
      : ctx.file.family === 'java'
        ? /\bcatch\s*\(\s*(final\s+)?(Exception|Throwable|RuntimeException)\s+\w+\s*\)/
        : null;
  return broad?.test(ctx.code) ? [hit(ctx, BARE_EXCEPT, 0.6)] : [];
};

const LOOSE_EQUALITY: RuleMeta = {
  id: 'loose-equality',
  dimension: 'correctness',
  severity: 'low',
  title: 'Equality check that does not compare what it seems to',
  explanation:
    'JavaScript `==` coerces types, Python `== None` calls a user-defined __eq__, and Java `==` on strings compares references, not contents.',
  suggestedFix: 'Use `===`, `is None`, or `.equals(...)` respectively.',
};

const STRING_EQ: RuleMeta = {
  ...LOOSE_EQUALITY,
  id: 'string-reference-equality',
  severity: 'medium',
};

const looseEquality: LineRule = (ctx) => {
  const code = ctx.code.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '"s"');
  switch (ctx.file.family) {
    case 'ts':
      return /[^=!<>]==[^=]|!=[^=]/.test(code) && !/[!=]=\s*null\b|\bnull\s*[!=]=[^=]/.test(code)
        ? [hit(ctx, LOOSE_EQUALITY, 0.55)]
        : [];
    case 'py':
      return /[!=]=\s*None\b/.test(code) ? [hit(ctx, LOOSE_EQUALITY, 0.7)] : [];
    case 'java':
      return /"s"\s*[!=]=|[!=]=\s*"s"/.test(code) ? [hit(ctx, STRING_EQ, 0.8)] : [];
    default:
      return [];
  }
};

export const ERROR_RULES: LineRule[] = [swallowedError, broadException, looseEquality];
