import type { DiffFile, DiffLine, Language, ReviewChunk } from '../../../domain/review';

/**
 * Builds a ReviewChunk from readable hunks: lines starting with `+` are added, `-` deleted,
 * anything else (a leading space is stripped) is context. New-side numbering starts at `start`.
 */
export function file(path: string, language: Language, body: string, start = 1): DiffFile {
  const lines: DiffLine[] = [];
  let newLine = start;
  let oldLine = start;
  for (const raw of body.replace(/^\n/, '').replace(/\n$/, '').split('\n')) {
    const mark = raw[0];
    const text = mark === '+' || mark === '-' || mark === ' ' ? raw.slice(1) : raw;
    if (mark === '+') lines.push({ kind: 'add', newLine: newLine++, text });
    else if (mark === '-') lines.push({ kind: 'del', oldLine: oldLine++, text });
    else lines.push({ kind: 'context', newLine: newLine++, oldLine: oldLine++, text });
  }
  const newLines = lines.filter((l) => l.kind !== 'del').length;
  const oldLines = lines.filter((l) => l.kind !== 'add').length;
  return {
    path,
    status: oldLines === 0 ? 'added' : 'modified',
    language,
    binary: false,
    hunks: [
      {
        header: `@@ -${start},${oldLines} +${start},${newLines} @@`,
        oldStart: oldLines === 0 ? 0 : start,
        oldLines,
        newStart: start,
        newLines,
        lines,
      },
    ],
  };
}

export function chunk(...files: DiffFile[]): ReviewChunk {
  return { index: 0, files, tokenEstimate: 100 };
}

/** Marks every line of a code block as added. */
export function added(code: string): string {
  return code
    .replace(/^\n/, '')
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `+${l}`)
    .join('\n');
}
