import type { DiffFile, Language, ReviewChunk } from '../../../domain/review';

/** The language families the local engines understand; everything else gets only generic rules. */
export type Family = 'ts' | 'py' | 'go' | 'java' | 'other';

/** One line of a hunk's new side: context and added lines, in order. */
export interface SourceLine {
  newLine: number;
  text: string;
  added: boolean;
}

export interface HunkView {
  lines: SourceLine[];
  /** old-side text of the lines this hunk deletes: what a change replaced */
  removed: string[];
}

/** A changed file seen the way both engines read it: new-side text per hunk, added lines marked. */
export interface FileView {
  path: string;
  language: Language;
  family: Family;
  hunks: HunkView[];
  added: Set<number>;
  isTest: boolean;
}

const FAMILY_BY_LANGUAGE: Partial<Record<Language, Family>> = {
  typescript: 'ts',
  javascript: 'ts',
  python: 'py',
  go: 'go',
  java: 'java',
};

const FAMILY_BY_EXTENSION: Record<string, Family> = {
  ts: 'ts',
  tsx: 'ts',
  mts: 'ts',
  cts: 'ts',
  js: 'ts',
  jsx: 'ts',
  mjs: 'ts',
  cjs: 'ts',
  py: 'py',
  go: 'go',
  java: 'java',
};

// A language hint of `other` should not hide a file whose extension we can read.
function familyOf(file: DiffFile): Family {
  const byLanguage = FAMILY_BY_LANGUAGE[file.language];
  if (byLanguage) return byLanguage;
  const ext = /\.([a-z]+)$/i.exec(file.path)?.[1]?.toLowerCase() ?? '';
  return FAMILY_BY_EXTENSION[ext] ?? 'other';
}

const TEST_PATH =
  /(^|\/)(__tests__|tests?|spec)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)test_[^/]*\.py$|_test\.(py|go)$|Tests?\.java$|(^|\/)src\/test\//;

export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}

function hunkView(hunk: DiffFile['hunks'][number]): HunkView {
  const lines: SourceLine[] = [];
  const removed: string[] = [];
  // Parsers may omit line numbers on some lines; counting from newStart keeps the mapping exact.
  let next = Math.max(1, hunk.newStart);
  for (const line of hunk.lines) {
    if (line.kind === 'del') {
      removed.push(line.text);
      continue;
    }
    const newLine = line.newLine ?? next;
    lines.push({ newLine, text: line.text, added: line.kind === 'add' });
    next = newLine + 1;
  }
  return { lines, removed };
}

/** Files of a chunk that have new-side code to look at, in a stable order. */
export function fileViews(chunk: ReviewChunk): FileView[] {
  const views: FileView[] = [];
  for (const file of chunk.files) {
    if (file.binary || file.status === 'deleted') continue;
    const hunks = file.hunks.map(hunkView).filter((h) => h.lines.length > 0);
    const added = new Set<number>();
    for (const h of hunks) for (const l of h.lines) if (l.added) added.add(l.newLine);
    if (added.size === 0) continue;
    views.push({
      path: file.path,
      language: file.language,
      family: familyOf(file),
      hunks,
      added,
      isTest: isTestPath(file.path),
    });
  }
  return views.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
