import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommitType } from '../../domain/commits/types';

/**
 * Builds the labelled commit set from real public history: CHANGELOG.md files that
 * conventional-changelog / release-please generated from Conventional Commits, as shipped in
 * packages under node_modules. Each entry (`* **scope:** subject ([sha](…/commit/…))`) sits under
 * a heading that is its commit type; a commit is breaking when a note under the release's
 * BREAKING CHANGES heading matches it. Releases with a breaking note that matches no entry are
 * left out whole: one of their commits is breaking and we cannot tell which.
 *
 *   npx tsx eval/commits/build.ts   → eval/commits/cases.json (checked in; the runner reads it)
 */

const SOURCES = [
  'openai',
  '@anthropic-ai/sdk',
  'ts-jest',
  'yargs',
  'yargs-parser',
  'istanbul-lib-instrument',
  'v8-to-istanbul',
  'istanbul-reports',
  'istanbul-lib-source-maps',
  '@pkgjs/parseargs',
  'cliui',
  'istanbul-lib-coverage',
  'y18n',
  'istanbul-lib-report',
  '@istanbuljs/schema',
  '@istanbuljs/load-nyc-config',
  'json-parse-even-better-errors',
];
/** Big generated changelogs would drown the rest; every k-th entry keeps their variety. */
const MAX_PER_PACKAGE = 150;

const SECTIONS: Record<string, CommitType> = {
  features: 'feat',
  'bug fixes': 'fix',
  chores: 'chore',
  'miscellaneous chores': 'chore',
  documentation: 'docs',
  refactors: 'refactor',
  'code refactoring': 'refactor',
  'performance improvements': 'perf',
  performance: 'perf',
  'build system': 'build',
  reverts: 'revert',
  tests: 'test',
  'continuous integration': 'ci',
  styles: 'style',
};

export interface CommitCase {
  id: string;
  source: {
    package: string;
    version: string;
    license: string;
    repository: string;
    release: string;
  };
  sha: string;
  /** the message reconstructed from the entry: header, and the BREAKING CHANGE footer when the note differs */
  message: string;
  subject: string;
  scope: string | null;
  type: CommitType;
  breaking: boolean;
}

interface Entry {
  type: CommitType;
  scope: string | null;
  subject: string;
  sha: string;
}

/** `**scope:** text ([#12](…)) ([abc1234](…))` → scope, text without link references. */
function splitEntry(line: string): { scope: string | null; text: string; sha?: string } {
  const sha = /\[([0-9a-f]{7,40})\]\([^)]*\/commits?\/[0-9a-f]+\)/.exec(line)?.[1];
  let text = line.replace(/^\*\s+/, '');
  const scope = /^\*\*([^*]+):\*\*\s*/.exec(text);
  if (scope) text = text.slice(scope[0].length);
  text = text
    .replace(/\s*\(\[[^\]]*\]\([^)]*\)\)/g, '')
    .replace(/\s*\(#\d+\)/g, '')
    .trim();
  return { scope: scope?.[1]?.trim() ?? null, text, sha };
}

const norm = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

function parseChangelog(md: string): { release: string; entries: Entry[]; breaking: string[] }[] {
  const releases: { release: string; entries: Entry[]; breaking: string[] }[] = [];
  let current: (typeof releases)[number] | undefined;
  let section: string | undefined;
  for (const line of md.split('\n')) {
    // `## [1.2.0](…)`, `# 1.2.0 (date)`, and patch releases some tools write as `### [1.2.1](…)`
    const rel = /^(?:#{1,2}\s+\[?|###\s+\[)v?(\d+\.\d+\.\d+[^\]\s]*)/.exec(line);
    if (rel?.[1]) {
      current = { release: rel[1], entries: [], breaking: [] };
      releases.push(current);
      section = undefined;
      continue;
    }
    const head = /^###\s+(.+)$/.exec(line);
    if (head?.[1]) {
      section = head[1].replace(/⚠\s*/, '').trim().toLowerCase();
      continue;
    }
    if (!current || !section || !line.startsWith('* ')) continue;
    const { scope, text, sha } = splitEntry(line);
    if (section === 'breaking changes') {
      current.breaking.push(norm(`${scope ?? ''} ${text}`));
      continue;
    }
    const type = SECTIONS[section];
    if (type && sha && text !== '') current.entries.push({ type, scope, subject: text, sha });
  }
  return releases;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const cases: CommitCase[] = [];
  const excluded: string[] = [];
  for (const pkg of SOURCES) {
    const dir = path.join(root, 'node_modules', pkg);
    const meta = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
      version: string;
      license?: string;
      repository?: string | { url?: string };
    };
    const repository =
      typeof meta.repository === 'string' ? meta.repository : (meta.repository?.url ?? '');
    const md = await readFile(path.join(dir, 'CHANGELOG.md'), 'utf8');
    const mine: CommitCase[] = [];
    for (const r of parseChangelog(md)) {
      const matched = new Set<string>();
      const breakingShas = new Set<string>();
      for (const e of r.entries) {
        const key = norm(`${e.scope ?? ''} ${e.subject}`);
        const bare = norm(e.subject);
        const note = r.breaking.find((b) => b === key || b === bare);
        if (note !== undefined) {
          matched.add(note);
          breakingShas.add(e.sha);
        }
      }
      if (r.breaking.some((b) => !matched.has(b))) {
        excluded.push(`${pkg}@${r.release}`);
        continue;
      }
      for (const e of r.entries) {
        const breaking = breakingShas.has(e.sha);
        const header = `${e.type}${e.scope ? `(${e.scope})` : ''}${breaking ? '!' : ''}: ${e.subject}`;
        mine.push({
          id: `${pkg}@${r.release}#${e.sha.slice(0, 7)}`,
          source: {
            package: pkg,
            version: meta.version,
            license: meta.license ?? 'UNKNOWN',
            repository,
            release: r.release,
          },
          sha: e.sha,
          message: header,
          subject: e.subject,
          scope: e.scope,
          type: e.type,
          breaking,
        });
      }
    }
    const step = Math.max(1, Math.ceil(mine.length / MAX_PER_PACKAGE));
    // breaking commits are rare; keep every one so precision/recall mean something
    cases.push(...mine.filter((c, i) => i % step === 0 || c.breaking));
  }
  const out = path.join(__dirname, 'cases.json');
  await writeFile(
    out,
    `${JSON.stringify({ built: 'eval/commits/build.ts', excludedReleases: excluded, cases }, null, 1)}\n`,
  );
  process.stdout.write(
    `${cases.length} cases (${cases.filter((c) => c.breaking).length} breaking), ${excluded.length} releases excluded → ${out}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
