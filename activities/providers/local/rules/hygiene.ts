import type { RuleMeta } from '../finding';
import type { SourceLine } from '../source';
import type { LineRule } from './context';
import { before, hit, indentOf, isCommentLine } from './context';

const DEBUG_LEFTOVER: RuleMeta = {
  id: 'debug-leftover',
  dimension: 'maintainability',
  severity: 'low',
  title: 'Debug output left in the code',
  explanation:
    'Ad-hoc prints bypass the logger: they are not levelled, not structured, and can leak data into stdout in production.',
  suggestedFix: 'Remove it or use the project logger at debug level.',
};

const DEBUG_CALL: Record<string, RegExp> = {
  ts: /\bconsole\.(log|debug|dir|trace)\s*\(|^\s*debugger\s*;?\s*$/,
  py: /^\s*(print\s*\(|pprint\s*\(|breakpoint\s*\(|import\s+pdb|pdb\.set_trace\()/,
  go: /\bfmt\.Print(ln|f)?\s*\(|\bspew\.Dump\(/,
  java: /\bSystem\.(out|err)\.print(ln|f)?\s*\(|\.printStackTrace\(\s*\)/,
};

// Programs whose job is to print: command-line entry points, scripts, examples and tests.
const PRINTING_PATH =
  /(^|\/)(cli|bin|cmd|scripts?|examples?|tools?)\/|(^|\/)main\.(go|py)$|__main__\.py$/;

const debugLeftover: LineRule = (ctx) => {
  if (ctx.file.isTest || PRINTING_PATH.test(ctx.file.path)) return [];
  const re = DEBUG_CALL[ctx.file.family];
  return re?.test(ctx.code) ? [hit(ctx, DEBUG_LEFTOVER, 0.7)] : [];
};

const TODO: RuleMeta = {
  id: 'todo-comment',
  dimension: 'maintainability',
  severity: 'info',
  title: 'Unfinished work marked in a comment',
  explanation:
    'TODO/FIXME comments record known gaps that tend to outlive the change that added them.',
  suggestedFix: 'Finish it in this change or track it in an issue and reference the issue id.',
};

const todo: LineRule = (ctx) =>
  /(\/\/|#|\/\*|\*)\s*(TODO|FIXME|XXX|HACK)\b/.test(ctx.line.text) ? [hit(ctx, TODO, 0.9)] : [];

const LONG_LINE: RuleMeta = {
  id: 'long-line',
  dimension: 'maintainability',
  severity: 'info',
  title: 'Very long line',
  explanation: 'Lines far beyond the usual width are hard to read and review side by side.',
  suggestedFix: 'Break the expression up or let the formatter wrap it.',
};

const longLine: LineRule = (ctx) =>
  ctx.line.text.length > 160 && !/https?:\/\//.test(ctx.line.text)
    ? [hit(ctx, LONG_LINE, 0.9)]
    : [];

const MAGIC_NUMBER: RuleMeta = {
  id: 'magic-number',
  dimension: 'maintainability',
  severity: 'info',
  title: 'Unexplained numeric constant in logic',
  explanation:
    'A bare number in a condition or calculation hides its meaning and is easy to change in one place only.',
  suggestedFix: 'Give the number a named constant that says what it is.',
};

const WELL_KNOWN = new Set([
  100, 1000, 1024, 200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 503, 60, 24, 365, 10, 16,
  32, 64, 255, 256,
]);

// Small counts (0, 1, 2) read as themselves; larger bare values in logic usually mean something.
const MAGIC_AT =
  /(?:(?<![=-])[<>]=?|[!=]==?)\s*([3-9]|\d{2,}(?:\.\d+)?)\b|[-+*/%]\s*(\d{2,}(?:\.\d+)?)\b|(?<![\w.])(\d{2,}(?:\.\d+)?)\s*[*/%]/g;

const magicNumber: LineRule = (ctx) => {
  // Tests spell out their inputs and expected values; naming each would hide what is checked.
  if (
    ctx.file.isTest ||
    isCommentLine(ctx.line.text) ||
    /^\s*(export\s+)?(const|final|static|#define)\b|^\s*[A-Z][A-Z0-9_]*\s*[:=]/.test(ctx.code) ||
    /^\s*(for\b|case\b)/.test(ctx.code)
  )
    return [];
  const code = ctx.code.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
  for (const m of code.matchAll(MAGIC_AT)) {
    const value = m[1] ?? m[2] ?? m[3] ?? '';
    if (!WELL_KNOWN.has(Number(value)))
      return [hit(ctx, MAGIC_NUMBER, 0.45, `The value is ${value}.`)];
  }
  return [];
};

const LONG_FUNCTION: RuleMeta = {
  id: 'long-function',
  dimension: 'maintainability',
  severity: 'low',
  title: 'Very long function',
  explanation:
    'A function this long usually does several things; it is hard to test and to review.',
  suggestedFix: 'Split it into smaller functions, each with one purpose and a name that says it.',
};

const FUNCTION_HEAD =
  /^\s*((export\s+)?(async\s+)?function\b|(async\s+)?def\s+\w+|func\s+|(public|private|protected|static|\s)+[\w<>[\], ]+\s+\w+\s*\([^)]*\)\s*(throws\s+[\w., ]+)?\s*\{)/;

const longFunction: LineRule = (ctx) => {
  if (!FUNCTION_HEAD.test(ctx.code)) return [];
  const lines = ctx.hunk.lines;
  const head = indentOf(ctx.line.text);
  let end = ctx.index;
  for (let i = ctx.index + 1; i < lines.length; i++) {
    const t = (lines[i] as SourceLine).text;
    if (t.trim() === '') continue;
    if (indentOf(t) <= head && !/^\s*[)\]]/.test(t)) {
      end = ctx.file.family === 'py' ? i - 1 : i;
      break;
    }
    end = i;
  }
  const length = end - ctx.index + 1;
  return length > 80 ? [hit(ctx, LONG_FUNCTION, 0.7, `It spans ${length} lines.`)] : [];
};

const N_PLUS_ONE: RuleMeta = {
  id: 'query-in-loop',
  dimension: 'performance',
  severity: 'medium',
  title: 'Database query inside a loop (N+1)',
  explanation:
    'One query per iteration turns a single round trip into N; latency and database load grow with the data.',
  suggestedFix:
    'Fetch all rows in one query (WHERE id IN (...), a join, or a batch loader) before the loop.',
};

const DB_CALL =
  /\.(query|execute|executeQuery|QueryRow|QueryRowContext|QueryContext|findOne|findById|findUnique|findFirst|getOne|selectOne)\s*\(|\.objects\.(get|filter)\(/;
const LOOP_HEAD = /^\s*(for\b|while\b|.*\.forEach\(|.*\.map\(\s*(async\s*)?\(?)|^\s*for\s*\(/;

const queryInLoop: LineRule = (ctx) => {
  if (!DB_CALL.test(ctx.code)) return [];
  const own = indentOf(ctx.line.text);
  for (const prev of before(ctx, 12)) {
    if (prev.text.trim() === '' || indentOf(prev.text) >= own) continue;
    if (LOOP_HEAD.test(prev.text)) return [hit(ctx, N_PLUS_ONE, 0.65)];
    if (FUNCTION_HEAD.test(prev.text)) return [];
  }
  return [];
};

const BLOCKING_IO: RuleMeta = {
  id: 'blocking-io-in-handler',
  dimension: 'performance',
  severity: 'medium',
  title: 'Blocking I/O inside a request handler',
  explanation:
    'A synchronous call blocks the event loop (or the async worker) for every concurrent request while it waits.',
  suggestedFix:
    'Use the asynchronous API (fs.promises, asyncio/httpx, aiofiles) or move the work off the request path.',
};

const BLOCKING_CALL: Record<string, RegExp> = {
  ts: /\b(readFileSync|writeFileSync|appendFileSync|existsSync|readdirSync|statSync|execSync|spawnSync)\s*\(/,
  py: /\b(time\.sleep|requests\.(get|post|put|delete|patch)|urllib\.request\.urlopen)\s*\(/,
  go: /\b(os\.ReadFile|ioutil\.ReadFile|ioutil\.ReadAll\(\s*f\b|os\.ReadDir)\s*\(/,
  // Blocking a reactive pipeline parks one of the few event-loop threads.
  java: /\.(block|blockFirst|blockLast|toFuture\(\)\.get)\s*\(|\bThread\.sleep\s*\(/,
};
const HANDLER: Record<string, RegExp> = {
  ts: /\(\s*req\b[^)]*,\s*res\b|\b(app|router|server)\.(get|post|put|patch|delete|use|all)\s*\(/,
  py: /^\s*async\s+def\s+/,
  go: /\bhttp\.ResponseWriter\b/,
  java: /\b(Mono|Flux)<|\bServerRequest\b/,
};

const blockingIo: LineRule = (ctx) => {
  const call = BLOCKING_CALL[ctx.file.family];
  const handler = HANDLER[ctx.file.family];
  if (!call || !handler || !call.test(ctx.code)) return [];
  for (const prev of before(ctx, 30))
    if (handler.test(prev.text)) return [hit(ctx, BLOCKING_IO, 0.7)];
  return [];
};

export const HYGIENE_RULES: LineRule[] = [
  debugLeftover,
  todo,
  longLine,
  magicNumber,
  longFunction,
  queryInLoop,
  blockingIo,
];
