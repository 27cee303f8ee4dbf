import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Reads a commit range from a local git repository: one `git log -p` for the whole range (a
 * process per commit would dominate a 1000-commit batch). Used by `npm run analyze` and, when
 * QUORUM_ANALYSIS_REPO_ROOT allows it, by analyze-batch. Arguments go to git as an argv array,
 * refs after `--end-of-options`, so a ref can never become an option or a shell word.
 */

const run = promisify(execFile);

export type GitErrorCode =
  'not_a_repository' | 'unknown_ref' | 'empty_range' | 'too_many_commits' | 'outside_root';

export class GitHistoryError extends Error {
  constructor(
    readonly code: GitErrorCode,
    message: string,
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'GitHistoryError';
  }
}

export interface GitCommit {
  sha: string;
  parents: string[];
  author: string;
  message: string;
  diff: string;
}

export interface ReadHistoryOptions {
  maxCommits: number;
  /** per-commit diff budget in UTF-8 bytes; larger diffs keep their first files only */
  maxDiffBytes: number;
  /** the PATH git is looked up on (the host's, from config) */
  pathVar: string;
}

/** NUL cannot appear in a commit message or a path; git writes it for %x00 (argv cannot hold it) */
const RECORD = '\x00\x01quorum-commit\x00';
const FIELD = '\x00';
const END_OF_MESSAGE = '\x00\x01quorum-diff\x00';
const FORMAT = `${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%B${END_OF_MESSAGE}`
  .replaceAll('\x00', '%x00')
  .replaceAll('\x01', '%x01');
/** `--no-prefix` or a textconv in the user's config must not change what is parsed */
const DIFF_FLAGS = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--src-prefix=a/',
  '--dst-prefix=b/',
  '--find-renames',
  '--diff-merges=first-parent',
];

async function git(repo: string, args: string[], pathVar: string): Promise<string> {
  const { stdout } = await run('git', ['-C', repo, '-c', 'core.quotePath=true', ...args], {
    maxBuffer: 1024 * 1024 * 1024,
    encoding: 'utf8',
    env: { PATH: pathVar, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
  });
  return stdout;
}

async function resolveRef(repo: string, ref: string, pathVar: string): Promise<string> {
  try {
    return (
      await git(
        repo,
        ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
        pathVar,
      )
    ).trim();
  } catch {
    throw new GitHistoryError('unknown_ref', `Unknown ref: ${ref}`, { ref });
  }
}

/** Cuts a diff at a file boundary so what is left still parses. */
export function capDiff(diff: string, maxBytes: number): string {
  if (Buffer.byteLength(diff, 'utf8') <= maxBytes) return diff;
  const files = diff.split(/(?=^diff --git )/m);
  let out = '';
  for (const f of files) {
    if (Buffer.byteLength(out + f, 'utf8') > maxBytes) break;
    out += f;
  }
  return out;
}

export async function readHistory(
  repo: string,
  from: string,
  to: string,
  opts: ReadHistoryOptions,
): Promise<GitCommit[]> {
  try {
    await git(repo, ['rev-parse', '--git-dir'], opts.pathVar);
  } catch {
    throw new GitHistoryError('not_a_repository', `Not a git repository: ${repo}`);
  }
  const [a, b] = await Promise.all([
    resolveRef(repo, from, opts.pathVar),
    resolveRef(repo, to, opts.pathVar),
  ]);
  const out = await git(
    repo,
    [
      'log',
      '--reverse',
      '--topo-order',
      `--max-count=${opts.maxCommits + 1}`,
      `--format=${FORMAT}`,
      '-p',
      ...DIFF_FLAGS,
      `${a}..${b}`,
      '--',
    ],
    opts.pathVar,
  );
  const records = out.split(RECORD).slice(1);
  if (records.length === 0) {
    throw new GitHistoryError('empty_range', `No commits in ${from}..${to}.`, { from, to });
  }
  if (records.length > opts.maxCommits) {
    throw new GitHistoryError(
      'too_many_commits',
      `${from}..${to} has more than ${opts.maxCommits} commits.`,
      {
        limit: opts.maxCommits,
      },
    );
  }
  return records.map((r) => {
    const [head = '', diff = ''] = r.split(END_OF_MESSAGE);
    const [sha = '', parents = '', author = '', message = ''] = head.split(FIELD);
    return {
      sha,
      parents: parents.split(' ').filter((p) => p !== ''),
      author,
      message: message.trim(),
      diff: capDiff(diff.replace(/^\n+/, ''), opts.maxDiffBytes),
    };
  });
}

/** A repository path the server may read: inside the configured root, symlinks resolved. */
export async function repositoryUnder(root: string, requested: string): Promise<string> {
  const base = await realpath(root);
  let target: string;
  try {
    target = await realpath(path.resolve(base, requested));
  } catch {
    throw new GitHistoryError('not_a_repository', `No repository at ${requested}.`);
  }
  const rel = path.relative(base, target);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new GitHistoryError('outside_root', 'The repository path is outside the allowed root.');
  }
  return target;
}
