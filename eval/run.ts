import { loadConfig } from '../cli/config';
import { COMMITS_USAGE, runCommitSuite } from './commits';
import { REVIEW_USAGE, runReviewSuite } from './review/cli';

/**
 * `npm run eval -- [--suite <name>] …`: one entry point for every evaluation suite. The suite
 * flag is read here; everything else belongs to the suite.
 */
type Suite = (argv: string[]) => Promise<number>;

const SUITES: Record<string, Suite> = {
  review: (argv) => runReviewSuite(argv, loadConfig()),
  commits: (argv) => runCommitSuite(argv),
};

function splitSuite(argv: string[]): { suite: string; rest: string[] } {
  const rest: string[] = [];
  let suite = 'review';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--suite') suite = argv[++i] ?? '';
    else if (a.startsWith('--suite=')) suite = a.slice('--suite='.length);
    else rest.push(a);
  }
  return { suite, rest };
}

async function main(): Promise<number> {
  const { suite, rest } = splitSuite(process.argv.slice(2));
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(
      `${REVIEW_USAGE}\n${COMMITS_USAGE}\n\nsuites: ${Object.keys(SUITES).join(', ')}\n`,
    );
    return 0;
  }
  const run = SUITES[suite];
  if (!run) {
    process.stderr.write(`unknown suite '${suite}'; known: ${Object.keys(SUITES).join(', ')}\n`);
    return 2;
  }
  return run(rest);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
