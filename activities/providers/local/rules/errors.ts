import type { RuleMeta } from '../finding';
import { SWALLOWED_ERROR } from '../finding';
import type { SourceLine } from '../source';
import type { LineRule } from './context';
import { before, hit, indentOf } from './context';

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

// Closing and printing are the usual deliberate discards; anything else returning an error is not.
const DISCARDED_ERROR = /^\s*_\s*=\s*(?!fmt\.)[\w.]+\.(?!Close\b)\w+\(/;

/** Go's `_ = store.Append(...)`: the error result assigned to the blank identifier. */
const discardedError: LineRule = (ctx) =>
  ctx.file.family === 'go' && !ctx.file.isTest && DISCARDED_ERROR.test(ctx.code)
    ? [hit(ctx, SWALLOWED_ERROR, 0.75, 'The call\u2019s error result is assigned to `_`.')]
    : [];

const MISSING_AWAIT: RuleMeta = {
  id: 'missing-await',
  dimension: 'correctness',
  severity: 'medium',
  title: 'Async call not awaited',
  explanation:
    'The promise/coroutine is created and dropped: its errors are lost and the code after it runs before it finishes.',
  suggestedFix: 'await it, return it, or collect it (Promise.all / asyncio.gather) deliberately.',
};

// Persistence and messaging verbs are asynchronous in every mainstream JS data or queue client.
const IO_CALL_STATEMENT =
  /^\s*(?:this\.)?((?:\w+\.)*\w+)\.(insert|save|destroy|publish|upsert|persist|commit|enqueue|create|remove|delete|update|send|flush)(One|Many|All|Async)?\s*\(.*\)\s*;?\s*$/;
const SYNC_RECEIVER =
  /(^|\.)(res|response|reply|console|logger|log|hash|hmac|cipher|url|params|headers|searchParams|formData|classList|\w*(Map|Set|map|set|Cache|cache|List|list|array|Array|items))$/;

const missingAwait: LineRule = (ctx) => {
  if (ctx.file.family !== 'ts') return [];
  const m = IO_CALL_STATEMENT.exec(ctx.code);
  if (!m || SYNC_RECEIVER.test(m[1] ?? '')) return [];
  const own = indentOf(ctx.line.text);
  for (const prev of before(ctx, 30)) {
    if (prev.text.trim() === '' || indentOf(prev.text) >= own) continue;
    return /\basync\b/.test(prev.text) ? [hit(ctx, MISSING_AWAIT, 0.65)] : [];
  }
  return [];
};

export const ERROR_RULES: LineRule[] = [
  swallowedError,
  broadException,
  looseEquality,
  discardedError,
  missingAwait,
];
