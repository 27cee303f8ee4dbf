import type { DiffFile, ModelFinding, ReviewChunk } from './review';

/**
 * Models misplace lines: off by a few, on a line outside the hunk, on a file they imagined.
 * A finding must sit on lines the diff shows, or an SCM host rejects the comment and a human
 * cannot see what it is about. This keeps, moves or drops each finding, deterministically.
 */

/** How far (in lines) a finding may be moved to reach an added line. */
export const ANCHOR_TOLERANCE = 3;

interface Range {
  start: number;
  end: number;
}

interface FileLines {
  ranges: Range[];
  added: number[];
}

function linesOf(file: DiffFile): FileLines {
  const ranges: Range[] = [];
  const added: number[] = [];
  for (const hunk of file.hunks) {
    const numbers = hunk.lines.flatMap((l) => (l.newLine === undefined ? [] : [l.newLine]));
    if (numbers.length > 0) ranges.push({ start: Math.min(...numbers), end: Math.max(...numbers) });
    for (const l of hunk.lines)
      if (l.kind === 'add' && l.newLine !== undefined) added.push(l.newLine);
  }
  added.sort((a, b) => a - b);
  return { ranges, added };
}

/** Models sometimes echo git's `a/` `b/` prefixes or a leading `./`. */
function findFile(
  files: Map<string, FileLines>,
  path: string,
): { path: string; lines: FileLines } | undefined {
  for (const candidate of [path, path.replace(/^\.\//, '').replace(/^[ab]\//, '')]) {
    const lines = files.get(candidate);
    if (lines) return { path: candidate, lines };
  }
  return undefined;
}

function distance(line: number, span: Range): number {
  if (line < span.start) return span.start - line;
  if (line > span.end) return line - span.end;
  return 0;
}

function place(span: Range, lines: FileLines): Range | undefined {
  // Clip to the first hunk the finding overlaps: its lines are all visible in the diff.
  for (const r of lines.ranges) {
    if (span.start <= r.end && span.end >= r.start) {
      return { start: Math.max(span.start, r.start), end: Math.min(span.end, r.end) };
    }
  }
  let best: number | undefined;
  for (const line of lines.added) {
    const d = distance(line, span);
    // `added` is ascending, so on a tie the earlier line wins and the result is stable.
    if (d <= ANCHOR_TOLERANCE && (best === undefined || d < distance(best, span))) best = line;
  }
  return best === undefined ? undefined : { start: best, end: best };
}

export function anchorFindings(findings: ModelFinding[], chunk: ReviewChunk): ModelFinding[] {
  const files = new Map<string, FileLines>();
  for (const f of chunk.files) if (!f.binary) files.set(f.path, linesOf(f));
  const anchored: ModelFinding[] = [];
  for (const finding of findings) {
    const found = findFile(files, finding.file);
    if (!found) continue;
    const start = finding.startLine;
    const end = Math.max(finding.startLine, finding.endLine);
    const placed = place({ start, end }, found.lines);
    if (!placed) continue;
    anchored.push({ ...finding, file: found.path, startLine: placed.start, endLine: placed.end });
  }
  return anchored;
}
