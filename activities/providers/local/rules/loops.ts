import type { RuleMeta } from '../finding';
import type { LineCtx, LineRule } from './context';
import { before, hit, inLoop } from './context';

const REGEX_IN_LOOP: RuleMeta = {
  id: 'regex-compiled-in-loop',
  dimension: 'performance',
  severity: 'low',
  title: 'Regular expression compiled inside a loop',
  explanation:
    'The pattern is constant but compiled again on every iteration; compiling costs far more than matching.',
  suggestedFix: 'Compile it once, outside the loop or as a package-level constant, and reuse it.',
};

const COMPILE =
  /\bregexp\.(Must)?Compile\s*\(|\bPattern\.compile\s*\(|\bre\.compile\s*\(|\bnew\s+RegExp\s*\(/;

const regexInLoop: LineRule = (ctx) =>
  COMPILE.test(ctx.code) && inLoop(ctx) ? [hit(ctx, REGEX_IN_LOOP, 0.75)] : [];

const LINEAR_LOOKUP: RuleMeta = {
  id: 'linear-lookup-in-loop',
  dimension: 'performance',
  severity: 'medium',
  title: 'Linear search inside a loop (quadratic)',
  explanation:
    'Each iteration scans a whole list to find or check one element, so the work grows with the square of the data.',
  suggestedFix: 'Build a Set or Map once before the loop and look elements up in it.',
};

/** Names the visible code declares as lists (not sets or maps). */
function listNames(ctx: LineCtx): Set<string> {
  const names = new Set<string>();
  const texts = [ctx.line.text, ...[...before(ctx, 30)].map((l) => l.text)];
  for (const t of texts) {
    for (const m of t.matchAll(
      /\b(\w+)\s*:\s*(?:list|List|Sequence)\[|\b(\w+)\s*(?::\s*[\w<>.]+\[\]\s*)?=\s*\[\s*\]|\bList<[^>]*>\s+(\w+)|\b(\w+)\s*:\s*(?:readonly\s+)?[\w<>.]+\[\]/g,
    )) {
      const name = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (name) names.add(name);
    }
  }
  return names;
}

const SEARCH_CALL = /\b(\w+)\.(some|find|findIndex|includes|indexOf|contains)\s*\(/g;

const linearLookup: LineRule = (ctx) => {
  const lists = listNames(ctx);
  if (lists.size === 0) return [];
  const comprehension =
    ctx.file.family === 'py'
      ? /\bfor\s+\w+\s+in\s+\w+.*\bif\b.*\bin\s+(\w+)\s*[\])]/.exec(ctx.code)
      : null;
  if (comprehension && lists.has(comprehension[1] ?? '')) return [hit(ctx, LINEAR_LOOKUP, 0.7)];
  if (!inLoop(ctx)) return [];
  if (ctx.file.family === 'py') {
    const m = /\bif\s+.*\bin\s+(\w+)\s*:/.exec(ctx.code);
    return m && lists.has(m[1] ?? '') ? [hit(ctx, LINEAR_LOOKUP, 0.7)] : [];
  }
  for (const m of ctx.code.matchAll(SEARCH_CALL)) {
    if (lists.has(m[1] ?? '')) return [hit(ctx, LINEAR_LOOKUP, 0.7)];
  }
  return [];
};

export const LOOP_RULES: LineRule[] = [regexInLoop, linearLookup];
