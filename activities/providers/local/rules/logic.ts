import type { RuleMeta } from '../finding';
import type { LineCtx, LineRule } from './context';
import { before, hit, indentOf } from './context';

const OFF_BY_ONE: RuleMeta = {
  id: 'off-by-one',
  dimension: 'correctness',
  severity: 'medium',
  title: 'Loop or slice bound is off by one',
  explanation:
    'The bound includes one element too many or stops one window short: a zero-based loop that runs while `i <= n` makes n + 1 passes (and reads past the end of an array of length n), a slice ending at `start + size + 1` returns size + 1 items, and a range stepping by `size` that stops at `len - size` drops the last window.',
  suggestedFix: 'Use an exclusive upper bound (`i < n`, `start + size`, `range(0, len(x), size)`).',
};

const BOUND_PATTERNS: Record<string, RegExp[]> = {
  ts: [
    /\bfor\s*\(\s*(?:let|var)?\s*(\w+)\s*=\s*0\s*;\s*\1\s*<=\s*[^;]+;/,
    /\.(?:slice|substring)\(\s*([^,()]+(?:\([^()]*\))?)\s*,\s*\1\s*\+\s*[^,)]+\+\s*1\s*\)/,
  ],
  java: [
    /\bfor\s*\(\s*(?:int|long)\s+(\w+)\s*=\s*0\s*;\s*\1\s*<=\s*[^;]+;/,
    /\.(?:subList|substring)\(\s*([^,()]+)\s*,\s*\1\s*\+\s*[^,)]+\+\s*1\s*\)/,
  ],
  go: [/\bfor\s+(\w+)\s*:=\s*0\s*;\s*\1\s*<=\s*[^;]+;/],
  py: [
    /\brange\(\s*[^,()]+,\s*len\([^()]+\)\s*-\s*(\w+)\s*,\s*\1\s*\)/,
    /\brange\(\s*len\([^()]+\)\s*\+\s*1\s*\)/,
  ],
};

const offByOne: LineRule = (ctx) =>
  (BOUND_PATTERNS[ctx.file.family] ?? []).some((re) => re.test(ctx.code))
    ? [hit(ctx, OFF_BY_ONE, 0.7)]
    : [];

const INVERTED: RuleMeta = {
  id: 'inverted-condition',
  dimension: 'correctness',
  severity: 'high',
  title: 'Condition is inverted',
  explanation:
    'The branch does the opposite of what the surrounding code means: it retries or skips when the operation succeeded, or calls something valid exactly when it has expired.',
  suggestedFix: 'Negate the condition (or swap the branches) and add a test for both outcomes.',
};

const SUCCESS_THEN_CONTINUE =
  /^\s*if\s*\(?\s*[\w.]*\b(ok|success|succeeded|isSuccess(ful)?\(\)|isOk\(\))\s*\)?\s*:?\s*\{?\s*continue\b/;
const VALIDITY_NAME = /(valid|active|alive|usable|live|current)\w*\s*\(/i;
const EXPIRED_TEST =
  /\breturn\s+[\w.]*(expir|deadline|validUntil|notAfter)\w*(\(\))?\.(Before|isBefore)\(\s*now|\breturn\s+[\w.]*(expir|deadline|validUntil)\w*\s*<=?\s*(now|Date\.now\(\)|time\.time\(\))/i;

function enclosingHead(ctx: LineCtx): string {
  for (const prev of before(ctx, 30)) {
    if (prev.text.trim() !== '' && indentOf(prev.text) < indentOf(ctx.line.text)) return prev.text;
  }
  return '';
}

const invertedCondition: LineRule = (ctx) => {
  if (SUCCESS_THEN_CONTINUE.test(ctx.code)) return [hit(ctx, INVERTED, 0.7)];
  if (EXPIRED_TEST.test(ctx.code) && VALIDITY_NAME.test(enclosingHead(ctx)))
    return [hit(ctx, INVERTED, 0.7)];
  return [];
};

export const LOGIC_RULES: LineRule[] = [offByOne, invertedCondition];
