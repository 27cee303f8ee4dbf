import parseGitDiff from 'parse-diff';
import { chunkFiles } from './chunk';
import { redactDiff } from './redact';
import type {
  DiffFile,
  DiffHunk,
  DiffLine,
  FileCoverage,
  Language,
  Redaction,
  ReviewChunk,
  ReviewRequest,
} from './review';

/**
 * Unified diff → the DiffFile model of review.ts. `parse-diff` reads the hunks; the git
 * extended headers it ignores (renames, copies, binary markers, quoted paths) are read here,
 * one `diff --git` section at a time so that each header belongs to exactly one file.
 * Pure: runs in activities and may run in workflow code.
 */

export type DiffErrorCode = 'empty_diff' | 'not_a_diff' | 'unsafe_path' | 'too_large';

export class DiffError extends Error {
  constructor(
    readonly code: DiffErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'DiffError';
  }
}

export interface ParseDiffOptions {
  /** UTF-8 size above which the diff is refused with `too_large`; unlimited when absent */
  maxBytes?: number;
}

const MAX_HEADER_LINE = 8192;

export function parseDiff(text: string, opts: ParseDiffOptions = {}): { files: DiffFile[] } {
  if (text.trim() === '') throw new DiffError('empty_diff', 'The diff is empty.');
  const bytes = opts.maxBytes === undefined ? 0 : utf8Length(text);
  if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
    const limit = opts.maxBytes;
    throw new DiffError('too_large', `The diff is ${bytes} bytes; the limit is ${limit}.`, {
      bytes,
      limit,
    });
  }
  // Diffs produced on Windows or pasted through a browser arrive with CRLF; headers must match.
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  // parse-diff reads paths from `diff ` lines with a backtracking pattern that is quadratic in
  // the line length; no real pair of paths comes near this limit.
  const long = lines.find((l) => l.startsWith('diff ') && l.length > MAX_HEADER_LINE);
  if (long !== undefined) {
    const limit = MAX_HEADER_LINE;
    throw new DiffError('unsafe_path', `A file header line is over ${limit} characters long.`, {
      length: long.length,
      limit,
    });
  }
  const sections = splitGitSections(lines);
  const files =
    sections.length > 0 ? sections.map(parseGitSection) : parsePlainDiff(lines.join('\n'));
  if (files.length === 0) {
    throw new DiffError(
      'not_a_diff',
      'No file headers or hunks found: this is not a unified diff.',
    );
  }
  return { files };
}

/* ---------- git format: one section per `diff --git` line ---------- */

function splitGitSections(lines: string[]): string[][] {
  const sections: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    // Hunk body lines always start with ' ', '+', '-' or '\', so this is always a header.
    if (line.startsWith('diff --git ')) {
      current = [line];
      sections.push(current);
    } else if (current) {
      current.push(line);
    }
  }
  return sections;
}

interface GitHeader {
  gitOld?: string;
  gitNew?: string;
  minus?: string;
  plus?: string;
  renameFrom?: string;
  renameTo?: string;
  copyFrom?: string;
  copyTo?: string;
  isNew: boolean;
  isDeleted: boolean;
  binary: boolean;
}

function parseGitSection(section: string[]): DiffFile {
  const h: GitHeader = { isNew: false, isDeleted: false, binary: false };
  const first = section[0] ?? '';
  [h.gitOld, h.gitNew] = splitGitHeaderPaths(first.slice('diff --git '.length));
  for (const line of section) {
    if (line.startsWith('@@')) break;
    if (line.startsWith('new file mode')) h.isNew = true;
    else if (line.startsWith('deleted file mode')) h.isDeleted = true;
    else if (line.startsWith('rename from ')) h.renameFrom = unquote(line.slice(12)).path;
    else if (line.startsWith('rename to ')) h.renameTo = unquote(line.slice(10)).path;
    else if (line.startsWith('copy from ')) h.copyFrom = unquote(line.slice(10)).path;
    else if (line.startsWith('copy to ')) h.copyTo = unquote(line.slice(8)).path;
    else if (line.startsWith('--- ')) h.minus = sidePath(line.slice(4), 'a/');
    else if (line.startsWith('+++ ')) h.plus = sidePath(line.slice(4), 'b/');
    else if (line === 'GIT binary patch' || /^Binary files .* differ$/.test(line)) h.binary = true;
  }
  const rawOld = h.renameFrom ?? h.copyFrom ?? h.minus ?? h.gitOld;
  const rawNew = h.renameTo ?? h.copyTo ?? h.plus ?? h.gitNew;
  const oldPath = rawOld === '/dev/null' || h.isNew ? undefined : safePath(rawOld);
  const newPath = rawNew === '/dev/null' || h.isDeleted ? undefined : safePath(rawNew);
  const parsed = parseGitDiff(section.join('\n'));
  const hunks = parsed.flatMap((f) => f.chunks.map(toHunk));
  return buildFile(oldPath, newPath, hunks, h.binary, h.copyFrom !== undefined);
}

/** `a/x b/x`: git writes both sides, so an unquoted path with spaces is found by symmetry. */
function splitGitHeaderPaths(rest: string): [string | undefined, string | undefined] {
  if (rest.startsWith('"')) {
    const a = unquote(rest);
    const b = unquote(a.rest.trimStart());
    return [stripPrefix(a.path, 'a/'), stripPrefix(b.path, 'b/')];
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') {
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (a.slice(2) === b.slice(2)) return [stripPrefix(a, 'a/'), stripPrefix(b, 'b/')];
  }
  const at = rest.indexOf(' b/');
  if (at < 0) return [undefined, undefined];
  const b = unquote(rest.slice(at + 1));
  return [stripPrefix(rest.slice(0, at), 'a/'), stripPrefix(b.path, 'b/')];
}

function sidePath(raw: string, prefix: string): string {
  const q = unquote(raw);
  // GNU diff appends a tab and a timestamp; git appends a tab when the name has spaces.
  const path = raw.startsWith('"') ? q.path : (q.path.split('\t')[0] ?? '');
  return path === '/dev/null' ? path : stripPrefix(path.trimEnd(), prefix);
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** Git quotes unusual names C-style with octal bytes (`"caf\303\251.txt"`): decode as UTF-8. */
function unquote(s: string): { path: string; rest: string } {
  if (!s.startsWith('"')) return { path: s, rest: '' };
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8 };
  let i = 1;
  for (; i < s.length && s[i] !== '"'; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      const octal = /^[0-7]{3}/.exec(s.slice(i + 1, i + 4));
      if (octal) {
        bytes.push(parseInt(octal[0], 8));
        i += 3;
      } else {
        const next = s[i + 1] as string;
        bytes.push(escapes[next] ?? next.charCodeAt(0));
        i += 1;
      }
    } else {
      for (const b of encoder.encode(c)) bytes.push(b);
    }
  }
  return { path: new TextDecoder().decode(new Uint8Array(bytes)), rest: s.slice(i + 1) };
}

/* ---------- plain unified diffs (no git headers): parse-diff finds the files ---------- */

function parsePlainDiff(text: string): DiffFile[] {
  return parseGitDiff(text)
    .filter((f) => f.chunks.length > 0)
    .map((f) => {
      let from = f.from === '/dev/null' ? undefined : f.from;
      let to = f.to === '/dev/null' ? undefined : f.to;
      // `diff -ru old/ new/` names both trees; drop the differing top folder as `patch -p1` does.
      if (from !== undefined && to !== undefined && from !== to) {
        const fromRest = from.split('/').slice(1).join('/');
        if (fromRest !== '' && fromRest === to.split('/').slice(1).join('/')) from = to = fromRest;
      }
      const oldPath = from === undefined ? undefined : safePath(from);
      const newPath = to === undefined ? undefined : safePath(to);
      return buildFile(oldPath, newPath, f.chunks.map(toHunk), false, false);
    });
}

/* ---------- shared ---------- */

function toHunk(chunk: parseGitDiff.Chunk): DiffHunk {
  const lines: DiffLine[] = [];
  for (const change of chunk.changes) {
    // "\ No newline at end of file" is a marker about the previous line, not a line.
    if (change.content.startsWith('\\')) continue;
    if (change.type === 'add') {
      lines.push({ kind: 'add', newLine: change.ln, text: change.content.slice(1) });
    } else if (change.type === 'del') {
      lines.push({ kind: 'del', oldLine: change.ln, text: change.content.slice(1) });
    } else {
      // Some editors strip the leading space of blank context lines; keep such lines as they are.
      const text = change.content.startsWith(' ') ? change.content.slice(1) : change.content;
      lines.push({ kind: 'context', oldLine: change.ln1, newLine: change.ln2, text });
    }
  }
  return {
    header: chunk.content,
    oldStart: chunk.oldStart,
    oldLines: chunk.oldLines,
    newStart: chunk.newStart,
    newLines: chunk.newLines,
    lines,
  };
}

function buildFile(
  oldPath: string | undefined,
  newPath: string | undefined,
  hunks: DiffHunk[],
  binary: boolean,
  copied: boolean,
): DiffFile {
  const path = newPath ?? oldPath;
  if (path === undefined) {
    throw new DiffError('not_a_diff', 'A file section names neither an old nor a new path.');
  }
  const status =
    newPath === undefined
      ? 'deleted'
      : oldPath === undefined || copied
        ? 'added'
        : oldPath !== newPath
          ? 'renamed'
          : 'modified';
  const file: DiffFile = { path, status, language: detectLanguage(path), binary, hunks };
  // A copy keeps its source as oldPath: hunks are relative to it.
  if (oldPath !== undefined && (status === 'renamed' || copied)) file.oldPath = oldPath;
  return file;
}

/** Relative, forward-slash, no `./`; refuses anything that could escape the repository. */
export function safePath(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') {
    throw new DiffError('not_a_diff', 'A file header has no path.');
  }
  if (raw.includes('\0')) throw unsafe(raw, 'contains a NUL byte');
  if (/^([/\\]|[A-Za-z]:[/\\]|~)/.test(raw)) throw unsafe(raw, 'is absolute');
  const segments = raw.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw unsafe(raw, 'contains a `..` segment');
  if (segments.length === 0) throw unsafe(raw, 'is empty after normalisation');
  return segments.join('/');
}

function unsafe(path: string, why: string): DiffError {
  const shown = path.replace(/\0/g, '\\0');
  return new DiffError('unsafe_path', `The path "${shown}" ${why}.`, { path: shown });
}

// prettier-ignore
const EXTENSIONS: Record<string, Language> = {
  ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  py: 'python', pyi: 'python', go: 'go', java: 'java', rb: 'ruby', rake: 'ruby', rs: 'rust',
  c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp', hxx: 'cpp',
  cs: 'csharp', php: 'php', kt: 'kotlin', kts: 'kotlin', swift: 'swift', sql: 'sql',
  sh: 'shell', bash: 'shell', zsh: 'shell', ksh: 'shell', yml: 'yaml', yaml: 'yaml',
  json: 'json', jsonc: 'json', json5: 'json', md: 'markdown', markdown: 'markdown', mdx: 'markdown',
};

// prettier-ignore
const BASENAMES: Record<string, Language> = {
  gemfile: 'ruby', rakefile: 'ruby', '.bashrc': 'shell', '.zshrc': 'shell', '.profile': 'shell',
};

export function detectLanguage(path: string): Language {
  const base = (path.split('/').pop() ?? '').toLowerCase();
  const named = BASENAMES[base];
  if (named) return named;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? (EXTENSIONS[base.slice(dot + 1)] ?? 'other') : 'other';
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/* ---------- classification: what is worth a model's attention ---------- */

export type SkipReason = 'binary' | 'generated' | 'lockfile' | 'deleted' | 'empty';
export type Classification = { skip: false } | { skip: true; reason: SkipReason };

// prettier-ignore
const LOCKFILES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock',
  'bun.lockb', 'deno.lock', 'Cargo.lock', 'go.sum', 'go.work.sum', 'poetry.lock', 'Pipfile.lock',
  'uv.lock', 'pdm.lock', 'Gemfile.lock', 'composer.lock', 'mix.lock', 'Podfile.lock',
  'Package.resolved', 'packages.lock.json', 'gradle.lockfile', 'flake.lock', 'pubspec.lock',
  'conan.lock', 'shard.lock',
]);

/** Output folders and vendored dependencies, at any depth (monorepos nest them). */
const GENERATED_DIRS = new Set(['dist', 'build', 'vendor', 'node_modules', '__generated__']);
// prettier-ignore
const GENERATED_NAMES = [
  /\.min\.(js|css)$/, /\.map$/, /[._]pb\.go$/, /_pb2(_grpc)?\.pyi?$/, /_pb\.(js|d\.ts)$/,
  /\.generated\./, /\.g\.dart$/, /\.designer\.cs$/i,
];
/** Go's convention, Meta's `@generated`, and the usual tool banners. */
const GENERATED_MARKER =
  /Code generated .* DO NOT EDIT|@generated\b|auto-?generated.*do not (edit|modify)/i;

const skip = (reason: SkipReason): Classification => ({ skip: true, reason });

export function classifyFile(file: DiffFile): Classification {
  if (file.binary) return skip('binary');
  const segments = file.path.split('/');
  const base = segments[segments.length - 1] ?? '';
  if (LOCKFILES.has(base)) return skip('lockfile');
  if (segments.slice(0, -1).some((s) => GENERATED_DIRS.has(s))) return skip('generated');
  if (GENERATED_NAMES.some((re) => re.test(base))) return skip('generated');
  // Nothing remains on the new side to anchor a finding to.
  if (file.status === 'deleted') return skip('deleted');
  const lines = file.hunks.flatMap((h) => h.lines);
  if (!lines.some((l) => l.kind === 'add')) return skip('empty');
  const head = lines.filter((l) => l.kind !== 'del' && (l.newLine ?? Infinity) <= 10);
  if (head.some((l) => GENERATED_MARKER.test(l.text))) return skip('generated');
  return { skip: false };
}

/* ---------- prepareDiff: the activity's whole job, as one pure function ---------- */

export interface PreparedDiff {
  /** every parsed file, redacted: what may be stored or shown */
  files: DiffFile[];
  chunks: ReviewChunk[];
  /** every file of the diff exactly once, in diff order */
  coverage: FileCoverage[];
  redactions: Redaction[];
  stats: { files: number; additions: number; deletions: number };
}

export function prepareDiff(
  req: ReviewRequest,
  opts: { tokenBudget: number; maxBytes?: number },
): PreparedDiff {
  const parsed = parseDiff(req.diff, { maxBytes: opts.maxBytes });
  const { files, redactions } = redactDiff(parsed.files);
  const verdicts = files.map(classifyFile);
  const reviewable = files.flatMap((f, i) => (verdicts[i]?.skip ? [] : [i]));
  const { chunks, overLimit } = chunkFiles(
    reviewable.map((i) => files[i] as DiffFile),
    opts.tokenBudget,
  );

  // Chunked slices share hunk objects with their file, which is how they are traced back.
  const fileOfHunk = new Map<DiffHunk, number>();
  reviewable.forEach((i) => files[i]?.hunks.forEach((h) => fileOfHunk.set(h, i)));
  const chunksOf = new Map<number, number[]>();
  for (const chunk of chunks) {
    for (const slice of chunk.files) {
      const i = slice.hunks[0] === undefined ? undefined : fileOfHunk.get(slice.hunks[0]);
      if (i !== undefined) chunksOf.set(i, [...(chunksOf.get(i) ?? []), chunk.index]);
    }
  }

  const coverage = files.map((file, i): FileCoverage => {
    const verdict = verdicts[i];
    if (verdict?.skip) return { file: file.path, outcome: 'skipped', reason: verdict.reason };
    const dropped = overLimit.filter((o) => reviewable[o.fileIndex] === i);
    const inChunks = chunksOf.get(i) ?? [];
    if (inChunks.length === 0) {
      return {
        file: file.path,
        outcome: 'skipped',
        reason: 'over_limit',
        detail: dropped.map((o) => o.detail).join('; '),
      };
    }
    const notes: string[] = [];
    if (dropped.length > 0) {
      notes.push(
        `partially reviewed: ${dropped.length} of ${file.hunks.length} hunks left out (` +
          dropped.map((o) => o.detail).join('; ') +
          ')',
      );
    }
    if (inChunks.length > 1) {
      notes.push(`split at hunk boundaries across chunks ${inChunks.join(', ')}`);
    }
    return notes.length > 0
      ? { file: file.path, outcome: 'reviewed', detail: notes.join('; ') }
      : { file: file.path, outcome: 'reviewed' };
  });

  const count = (kind: DiffLine['kind']): number =>
    files.reduce(
      (n, f) => n + f.hunks.reduce((m, h) => m + h.lines.filter((l) => l.kind === kind).length, 0),
      0,
    );
  return {
    files,
    chunks,
    coverage,
    redactions,
    stats: { files: files.length, additions: count('add'), deletions: count('del') },
  };
}
