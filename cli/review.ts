import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ReviewView } from '../api/reviewView';
import { Severity } from '../domain/review';
import { apiError, EXIT_UNREACHABLE, request, runAsScript, Stop, type Api } from './apiClient';
import { loadConfig } from './config';
import { exceedsThreshold, formatReview } from './reviewFormat';

/** `npm run review -- <file.diff|->`: send a diff to a running Quorum API and print the review. */

export const EXIT = {
  ok: 0,
  failOn: 1,
  usage: 2,
  unreachable: EXIT_UNREACHABLE,
  reviewFailed: 4,
  awaitingHuman: 5,
} as const;

export const HELP = `Usage: npm run review -- <file.diff | -> [options]

Sends a unified diff (a file, or - for stdin: git diff | npm run review -- -) to a
running Quorum API and prints the review grouped by file.

Options:
  --json                 print the review as JSON (for machines)
  --fail-on <severity>   exit 1 when a finding at or above it exists
                         (critical, high, medium, low, info; default: never)
  --repository <name>    the repository the diff belongs to
  --title <text>         a title for the change
  --timeout <seconds>    give up waiting after this long (default 600)
  -h, --help             this text

Environment:
  QUORUM_URL       the API (default http://127.0.0.1:3000; start one with npm start)
  QUORUM_API_KEY   an API key with the reviewer or admin role

Exit codes:
  0  the review finished (and nothing reached --fail-on)
  1  a finding at or above --fail-on exists
  2  bad usage, or the API refused the diff (empty, not a diff, too large, unsafe path)
  3  no API answered, the key was refused, or the API failed
  4  the review itself failed (e.g. every model provider was down)
  5  the review is waiting for a human decision on a disputed critical finding
`;

export interface ReviewArgs {
  source: string;
  json: boolean;
  failOn?: Severity;
  repository?: string;
  title?: string;
  timeoutSeconds: number;
}

export class UsageError extends Error {}

export function parseReviewArgs(argv: string[]): ReviewArgs | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'fail-on': { type: 'string' },
      repository: { type: 'string' },
      title: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError('Give exactly one diff file, or - to read the diff from stdin.');
  }
  const failOn = values['fail-on'];
  if (failOn !== undefined && !Severity.safeParse(failOn).success) {
    throw new UsageError(`--fail-on takes one of ${Severity.options.join(', ')}; got "${failOn}".`);
  }
  const timeout = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UsageError('--timeout takes a number of seconds greater than 0.');
  }
  return {
    source: positionals[0] as string,
    json: values.json ?? false,
    failOn: failOn === undefined ? undefined : Severity.parse(failOn),
    repository: values.repository,
    title: values.title,
    timeoutSeconds: timeout,
  };
}

async function readDiff(source: string): Promise<string> {
  if (source !== '-') {
    try {
      return await readFile(source, 'utf8');
    } catch (err) {
      throw new Stop(EXIT.usage, `Cannot read ${source}: ${(err as Error).message}`);
    }
  }
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

const START_HINT =
  '\nStart the local stack with `npm start` (it prints an admin key), or point QUORUM_URL ' +
  'at a running API, then pass the key: QUORUM_API_KEY=<key> npm run review -- <file.diff>';
const call = (api: Api, method: string, path: string, body?: unknown) =>
  request(api, START_HINT, method, path, body);

function refusal(status: number, json: unknown, api: Api): Stop {
  const error = apiError(json);
  const message = error?.message ?? `HTTP ${status}`;
  if (status === 401) {
    const why = api.apiKey ? 'QUORUM_API_KEY is unknown or revoked' : 'QUORUM_API_KEY is not set';
    return new Stop(
      EXIT.unreachable,
      `The API refused the request: ${why}.\nSet QUORUM_API_KEY to a key with the reviewer ` +
        'role (npm start prints an admin key; admins create more at /api/v2/admin/api-keys).',
    );
  }
  if (status === 403) {
    return new Stop(EXIT.unreachable, `The key lacks the reviewer role: ${message}`);
  }
  if (status >= 500 || status === 429) {
    return new Stop(EXIT.unreachable, `The API failed (HTTP ${status}): ${message}`);
  }
  const details = error?.details ? `\n${JSON.stringify(error.details)}` : '';
  return new Stop(EXIT.usage, `The API refused the diff (HTTP ${status}): ${message}${details}`);
}

const FINISHED = new Set(['completed', 'failed', 'needs_manual_review']);

async function review(args: ReviewArgs, api: Api): Promise<ReviewView> {
  const diff = await readDiff(args.source);
  const body = { diff, repository: args.repository, title: args.title };
  const deadline = Date.now() + args.timeoutSeconds * 1000;
  const wait = Math.max(1, Math.min(60, Math.floor(args.timeoutSeconds)));
  const first = await call(api, 'POST', `/api/v2/cr-ai/review?wait=${wait}`, body);
  if (first.status === 200) return ReviewView.parse(first.json);
  if (first.status !== 202) throw refusal(first.status, first.json, api);
  const { id } = first.json as { id: string };
  for (;;) {
    const got = await call(api, 'GET', `/api/v2/cr-ai/review/${id}`);
    if (got.status !== 200) throw refusal(got.status, got.json, api);
    const view = ReviewView.parse(got.json);
    if (FINISHED.has(view.status)) return view;
    if (Date.now() > deadline) {
      throw new Stop(
        EXIT.unreachable,
        `Review ${id} is still ${view.status} after ${args.timeoutSeconds} s; ` +
          `see ${api.url}${view.links.self}`,
      );
    }
    await sleep(2000);
  }
}

function exitCodeFor(view: ReviewView, failOn: Severity | undefined): number {
  if (view.status === 'failed') return EXIT.reviewFailed;
  if (view.status === 'needs_manual_review') return EXIT.awaitingHuman;
  return failOn && exceedsThreshold(view, failOn) ? EXIT.failOn : EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  let args: ReviewArgs | 'help';
  try {
    args = parseReviewArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const config = loadConfig();
  const api = { url: config.cli.url, apiKey: config.cli.apiKey };
  try {
    const view = await review(args, api);
    process.stdout.write(
      args.json
        ? JSON.stringify(view, null, 2) + '\n'
        : formatReview(view, { color: process.stdout.isTTY === true }),
    );
    return exitCodeFor(view, args.failOn);
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    process.stderr.write(`${err.message}\n`);
    return err.code;
  }
}

if (require.main === module) runAsScript(main);
