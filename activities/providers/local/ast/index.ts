import type { Hit } from '../finding';
import type { FileView } from '../source';
import { analyzeWithProfile } from './generic';
import { GO } from './go';
import { JAVA } from './java';
import { PYTHON } from './python';
import { analyzeTypeScript } from './typescript';

const PROFILES = { py: PYTHON, go: GO, java: JAVA } as const;

/**
 * The `ast` engine: parses each hunk's new side (TypeScript compiler for TS/JS, tree-sitter for
 * Python, Go and Java) and reasons over syntax trees. Files in other languages get nothing from
 * it, which consensus then reads as "only the rules engine saw this".
 */
export function runAst(files: FileView[]): Hit[] {
  const hits: Hit[] = [];
  for (const file of files) {
    if (file.family === 'ts') hits.push(...analyzeTypeScript(file));
    else if (file.family !== 'other') hits.push(...analyzeWithProfile(PROFILES[file.family], file));
  }
  return hits;
}
