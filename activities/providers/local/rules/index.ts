import type { Hit } from '../finding';
import type { FileView } from '../source';
import type { LineCtx, LineRule } from './context';
import { isCommentLine, stripComment } from './context';
import { ERROR_RULES } from './errors';
import { HYGIENE_RULES } from './hygiene';
import { SECURITY_RULES } from './security';
import { LOGIC_RULES } from './logic';
import { LOOP_RULES } from './loops';
import { STRUCTURE_RULES, missingTests } from './structure';
import { TEST_RULES } from './tests';

const CODE_RULES: LineRule[] = [
  ...SECURITY_RULES,
  ...ERROR_RULES,
  ...HYGIENE_RULES,
  ...STRUCTURE_RULES,
  ...LOOP_RULES,
  ...LOGIC_RULES,
  ...TEST_RULES,
];

/**
 * The `rules` engine: patterns over each added line with its hunk as context. It reads text, not
 * syntax, so it also covers files no parser understands and code too partial to parse.
 */
export function runRules(files: FileView[]): Hit[] {
  const hits: Hit[] = [];
  for (const file of files) {
    for (const hunk of file.hunks) {
      hunk.lines.forEach((line, index) => {
        if (!line.added) return;
        const ctx: LineCtx = {
          file,
          hunk,
          index,
          line,
          code: stripComment(line.text, file.family),
        };
        // Comments carry no behaviour, except the TODO markers that the hygiene rules look for.
        const rules = isCommentLine(line.text) ? HYGIENE_RULES : CODE_RULES;
        for (const rule of rules) hits.push(...rule(ctx));
      });
    }
  }
  return [...hits, ...missingTests(files)];
}
