import { DEV_CASES_DIR, writeCases } from './cases';
import { developmentCases } from './devset';

/** `tsx eval/review/generate.ts`: rewrites eval/cases/dev from the templates in devset/. */
async function main(): Promise<void> {
  const cases = developmentCases();
  await writeCases(DEV_CASES_DIR, cases);
  process.stdout.write(`wrote ${cases.length} cases to ${DEV_CASES_DIR}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
