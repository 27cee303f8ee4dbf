import type { Hit, RuleMeta } from '../finding';
import type { FileView, HunkView, SourceLine } from '../source';

/** An added line with the hunk around it: what every line rule looks at. */
export interface LineCtx {
  file: FileView;
  hunk: HunkView;
  index: number;
  line: SourceLine;
  /** the line with string contents kept and trailing comments removed */
  code: string;
}

export type LineRule = (ctx: LineCtx) => Hit[];

const COMMENT_ONLY = /^\s*(\/\/|#|\*|\/\*|--)/;

export function isCommentLine(text: string): boolean {
  return COMMENT_ONLY.test(text);
}

/** Drops a trailing `//` or `#` comment that is not inside a string literal. */
export function stripComment(text: string, family: FileView['family']): string {
  const marker = family === 'py' ? '#' : '//';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
    } else if (text.startsWith(marker, i) && !(marker === '//' && text[i - 1] === ':')) {
      return text.slice(0, i);
    }
  }
  return text;
}

export function indentOf(text: string): number {
  return /^\s*/.exec(text)?.[0].length ?? 0;
}

/** The statement starting at `index`, joined until its brackets balance (at most `max` lines). */
export function statementAt(
  hunk: HunkView,
  index: number,
  max = 5,
): { text: string; last: number } {
  let depth = 0;
  let text = '';
  let last = index;
  for (let i = index; i < hunk.lines.length && i < index + max; i++) {
    const t = (hunk.lines[i] as SourceLine).text;
    text += (i === index ? '' : '\n') + t;
    last = i;
    for (const c of t.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""')) {
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
    }
    const continues = /[+,(\\]\s*$/.test(t) || /^\s*[+.]/.test(hunk.lines[i + 1]?.text ?? '');
    if (depth <= 0 && !continues) break;
  }
  return { text, last };
}

export function hit(
  ctx: LineCtx,
  rule: RuleMeta,
  confidence: number,
  detail?: string,
  endIndex = ctx.index,
): Hit {
  const end = ctx.hunk.lines[endIndex]?.newLine ?? ctx.line.newLine;
  return {
    file: ctx.file.path,
    startLine: ctx.line.newLine,
    endLine: Math.max(end, ctx.line.newLine),
    rule,
    confidence,
    ...(detail ? { detail } : {}),
  };
}

/** Lines before `index` in the same hunk, nearest first. */
export function* before(ctx: LineCtx, max: number): Generator<SourceLine> {
  for (let i = ctx.index - 1; i >= 0 && i >= ctx.index - max; i--) {
    yield ctx.hunk.lines[i] as SourceLine;
  }
}

/** The arguments of a call whose text starts right after its `(`, split at top-level commas. */
export function callArguments(afterParen: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (let i = 0; i < afterParen.length; i++) {
    const c = afterParen[i] as string;
    if (quote) {
      current += c;
      if (c === '\\') current += afterParen[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') args.push(current.trim());
  return args;
}

/** Expressions that read a request in each family, wherever the handler sits. */
const REQUEST_READ: Record<string, string> = {
  ts: String.raw`\breq(?:uest)?\.(?:params|query|body|headers|cookies)\b`,
  go: String.raw`\br\.(?:URL\.Query\(\)|FormValue\(|PostFormValue\(|PathValue\(|Header\.Get\()|\bmux\.Vars\(|\bchi\.URLParam\(|\bc\.(?:Param|Query)\(`,
  py: String.raw`\brequest\.(?:args|form|values|json|GET|POST|files)\b`,
  java: String.raw`\brequest\.getParameter\(|\bgetPathVariable\(`,
};

const HANDLER_HEAD: Record<string, RegExp> = {
  ts: /\(\s*req\w*\s*[:,)]|\b(app|router|server)\.(get|post|put|patch|delete|all)\s*\(/,
  go: /\bhttp\.ResponseWriter\b|\*http\.Request\b|\bgin\.Context\b|\becho\.Context\b/,
  py: /^\s*@\w+\.(get|post|put|patch|delete|route)\s*\(|^\s*(async\s+)?def\s+\w+\s*\(\s*request\b/,
  java: /@(Get|Post|Put|Delete|Patch|Request)Mapping\b|\bServerRequest\b|HttpServletRequest\b/,
};

const ANY_FUNCTION_HEAD =
  /^\s*((export\s+)?(async\s+)?function\b|(async\s+)?def\s+\w+|func\s|(public|private|protected|static)\s[^=;]*\([^;]*$)/;

/**
 * When the added line sits in a request handler visible in its hunk: a pattern for the values an
 * attacker controls there (request reads and the handler's route parameters).
 */
export function requestInputs(ctx: LineCtx): RegExp | null {
  const head = HANDLER_HEAD[ctx.file.family];
  if (!head) return null;
  const own = indentOf(ctx.line.text);
  const window: string[] = [];
  for (let i = ctx.index; i >= 0 && i >= ctx.index - 40; i--) {
    const t = (ctx.hunk.lines[i] as SourceLine).text;
    window.unshift(t);
    if (i === ctx.index || t.trim() === '' || indentOf(t) >= own) continue;
    if (!head.test(t) && !ANY_FUNCTION_HEAD.test(t)) continue;
    // Annotations and decorators sit on the lines above the head.
    const above = ctx.hunk.lines
      .slice(Math.max(0, i - 3), i)
      .map((l) => l.text)
      .join('\n');
    if (!head.test(t) && !head.test(above)) return null;
    const names = [
      ...[
        ...t.matchAll(
          /@(?:PathVariable|RequestParam|RequestBody|RequestHeader)(?:\([^)]*\))?\s+[\w<>]+\s+(\w+)/g,
        ),
      ].map((m) => m[1]),
      ...[...above.matchAll(/<(?:\w+:)?(\w+)>/g)].map((m) => m[1]),
    ].filter((n): n is string => !!n);
    const params = names.length > 0 ? `|\\b(?:${names.join('|')})\\b` : '';
    return new RegExp(`${REQUEST_READ[ctx.file.family] ?? '$^'}${params}`);
  }
  return null;
}

/** The nearest enclosing loop head above the added line in its hunk, stopping at a function. */
export function inLoop(ctx: LineCtx, max = 15): boolean {
  const own = indentOf(ctx.line.text);
  let bound = own;
  for (const prev of before(ctx, max)) {
    if (prev.text.trim() === '' || indentOf(prev.text) >= bound) continue;
    bound = indentOf(prev.text);
    if (
      /^\s*(for\b|while\b|do\b)|\.forEach\(\s*(async\s*)?\(?\w*\)?\s*=>|^\s*}\s*while\b/.test(
        prev.text,
      )
    )
      return true;
    if (ANY_FUNCTION_HEAD.test(prev.text) || /=>\s*\{\s*$/.test(prev.text)) return false;
  }
  return false;
}
