import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import semver from 'semver';
import { GitHistoryError, readHistory, type GitCommit } from '../api/gitHistory';
import { MAX_BATCH_COMMITS } from '../domain/commits/flow';
import type { ReleaseProposal } from '../domain/commits/release';
import { apiError, EXIT_UNREACHABLE, request, runAsScript, Stop, type Api } from './apiClient';
import { hostPath, loadConfig } from './config';

/** `npm run analyze -- --repo <path> --from <ref> --to <ref>`: a release proposal from git history. */

export const EXIT = { ok: 0, usage: 2, unreachable: EXIT_UNREACHABLE, batchFailed: 4 } as const;

export const HELP = `Usage: npm run analyze -- --repo <path> --from <ref> --to <ref> [options]

Reads the commits in <from>..<to> (git range: <from> itself is excluded) from a local
repository with git, sends them to a running Quorum API as one batch, shows progress,
and prints the proposed next version and the changelog.

Options:
  --current <version>    the version released at <from> (default: the newest semver tag
                         reachable from <from>, else package.json at <from>, else 0.0.0)
  --repository <name>    the name analyses are stored under (default: the directory name)
  --json                 print the finished batch as JSON
  --timeout <seconds>    give up waiting after this long (default 900)
  -h, --help             this text

Environment:
  QUORUM_URL       the API (default http://127.0.0.1:3000; start one with npm start)
  QUORUM_API_KEY   an API key with the reviewer or admin role

Exit codes: 0 done, 2 bad usage or refused input, 3 API unreachable or key refused,
4 the batch failed or was cancelled.
`;

/** The whole batch must fit the API's body limit (12 MB by default); big diffs keep their first files. */
const BODY_BUDGET_BYTES = 10 * 1024 * 1024;
const MAX_DIFF_BYTES_PER_COMMIT = 512 * 1024;
const POLL_MS = 300;

export interface AnalyzeArgs {
  repo: string;
  from: string;
  to: string;
  current?: string;
  repository?: string;
  json: boolean;
  timeoutSeconds: number;
}

export function parseAnalyzeArgs(argv: string[]): AnalyzeArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      current: { type: 'string' },
      repository: { type: 'string' },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '900' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  for (const name of ['repo', 'from', 'to'] as const) {
    if (!values[name]) throw new Stop(EXIT.usage, `--${name} is required`);
  }
  if (values.current !== undefined && !semver.valid(values.current)) {
    throw new Stop(EXIT.usage, `--current must be a semantic version, not ${values.current}`);
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new Stop(EXIT.usage, '--timeout must be a positive number');
  return {
    repo: values.repo as string,
    from: values.from as string,
    to: values.to as string,
    current: values.current,
    repository: values.repository,
    json: values.json,
    timeoutSeconds,
  };
}

const run = promisify(execFile);
async function gitOut(repo: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', ['-C', repo, ...args], { encoding: 'utf8' })).stdout.trim();
  } catch {
    return undefined;
  }
}

/** The version released at <from>: a semver tag, else package.json there, else 0.0.0. */
export async function currentVersionAt(repo: string, ref: string): Promise<string> {
  const tag = await gitOut(repo, ['describe', '--tags', '--abbrev=0', '--end-of-options', ref]);
  const fromTag = tag ? semver.valid(semver.clean(tag) ?? '') : null;
  if (fromTag) return fromTag;
  const pkg = await gitOut(repo, ['show', `${ref}:package.json`]);
  if (pkg) {
    try {
      const version = semver.valid((JSON.parse(pkg) as { version?: string }).version ?? '');
      if (version) return version;
    } catch {
      // not JSON: fall through
    }
  }
  return '0.0.0';
}

/** Shrinks the per-commit diff budget until the whole batch fits the request budget. */
async function readWithinBudget(args: AnalyzeArgs): Promise<GitCommit[]> {
  let perCommit = MAX_DIFF_BYTES_PER_COMMIT;
  for (;;) {
    const commits = await readHistory(args.repo, args.from, args.to, {
      maxCommits: MAX_BATCH_COMMITS,
      maxDiffBytes: perCommit,
      pathVar: hostPath(),
    });
    const size = commits.reduce(
      (n, c) => n + Buffer.byteLength(c.diff) + Buffer.byteLength(c.message) + 200,
      0,
    );
    if (size <= BODY_BUDGET_BYTES || perCommit < 4096) return commits;
    perCommit = Math.floor(perCommit / 2);
  }
}

const START_HINT = ' Start one with `npm start`.';
const call = (api: Api, method: string, path: string, body?: unknown) =>
  request(api, START_HINT, method, path, body);

function refusal(status: number, json: unknown): Stop {
  const message = apiError(json)?.message ?? `HTTP ${status}`;
  if (status === 401 || status === 403 || status === 429 || status >= 500) {
    return new Stop(EXIT.unreachable, `The API refused the request (HTTP ${status}): ${message}`);
  }
  return new Stop(EXIT.usage, `The API refused the batch (HTTP ${status}): ${message}`);
}

interface BatchView {
  id: string;
  status: string;
  total: number;
  progress?: { completed: number; failed: number; total: number };
  proposal: ReleaseProposal | null;
  commits: { sha: string; status: string; error?: string }[];
}

function progressLine(done: number, total: number, failed: number, tty: boolean): string {
  if (!tty) return `analysed ${done}/${total}${failed > 0 ? ` (${failed} failed)` : ''}\n`;
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  return `\r${bar} ${done}/${total}${failed > 0 ? pc.red(` ${failed} failed`) : ''}`;
}

async function analyze(args: AnalyzeArgs, api: Api): Promise<BatchView> {
  const repo = path.resolve(args.repo);
  const commits = await readWithinBudget({ ...args, repo });
  const currentVersion = args.current ?? (await currentVersionAt(repo, args.from));
  const repository = args.repository ?? path.basename(repo);
  const tty = process.stderr.isTTY === true;
  process.stderr.write(
    `${commits.length} commits in ${args.from}..${args.to}; current version ${currentVersion}\n`,
  );
  const first = await call(api, 'POST', '/api/v2/vc-ai/analysis/analyze-batch', {
    repository,
    currentVersion,
    commits: commits.map((c) => ({
      sha: c.sha,
      message: c.message || '(no message)',
      author: c.author,
      parents: c.parents,
      diff: c.diff,
    })),
  });
  if (first.status !== 200 && first.status !== 202) throw refusal(first.status, first.json);
  const { id } = first.json as { id: string };
  const deadline = Date.now() + args.timeoutSeconds * 1000;
  let lastPlain = -1;
  for (;;) {
    const got = await call(api, 'GET', `/api/v2/vc-ai/analysis/${id}`);
    if (got.status !== 200) throw refusal(got.status, got.json);
    const view = got.json as BatchView;
    const done = view.progress
      ? view.progress.completed + view.progress.failed
      : view.status === 'completed'
        ? view.total
        : 0;
    const failed =
      view.progress?.failed ?? view.commits.filter((c) => c.status === 'failed').length;
    if (tty || done !== lastPlain)
      process.stderr.write(progressLine(done, view.total, failed, tty));
    lastPlain = done;
    if (view.status === 'completed' || view.status === 'failed' || view.status === 'cancelled') {
      if (tty) process.stderr.write('\n');
      return view;
    }
    if (Date.now() > deadline) {
      throw new Stop(
        EXIT.unreachable,
        `Batch ${id} is still ${view.status} after ${args.timeoutSeconds} s.`,
      );
    }
    await sleep(POLL_MS);
  }
}

export function formatProposal(p: ReleaseProposal, color: boolean): string {
  const c = color ? pc : { bold: (s: string) => s, green: (s: string) => s, dim: (s: string) => s };
  const lines = [
    `${c.bold('Proposed version:')} ${p.currentVersion} → ${c.green(p.nextVersion)} (${p.impact}` +
      // below 1.0.0 a breaking change bumps the minor (see domain/commits/semver.ts)
      `${p.impact === 'major' && p.currentVersion.startsWith('0.') ? ', minor bump before 1.0.0' : ''})`,
    ...p.decidedBy.slice(0, 5).map((d) => c.dim(`  ${d.sha.slice(0, 7)}: ${d.reason}`)),
    ...(p.decidedBy.length > 5 ? [c.dim(`  … and ${p.decidedBy.length - 5} more`)] : []),
    `${p.analysed} commit${p.analysed === 1 ? '' : 's'} analysed, ` +
      `${p.breakingChanges} breaking change${p.breakingChanges === 1 ? '' : 's'}` +
      (p.failed.length > 0 ? `, ${p.failed.length} not analysed` : ''),
    '',
    p.changelog,
  ];
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseAnalyzeArgs(argv);
    if (args === 'help') {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    const config = loadConfig();
    const view = await analyze(args, { url: config.cli.url, apiKey: config.cli.apiKey });
    if (args.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    else if (view.proposal)
      process.stdout.write(formatProposal(view.proposal, process.stdout.isTTY === true));
    if (view.status !== 'completed') {
      process.stderr.write(`The batch ended ${view.status}.\n`);
      return EXIT.batchFailed;
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof GitHistoryError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof Stop) {
      process.stderr.write(`${err.message}\n`);
      return err.code;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n\n${HELP}`);
      return EXIT.usage;
    }
    throw err;
  }
}

if (require.main === module) runAsScript(main);
