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
