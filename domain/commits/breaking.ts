import type { DiffFile, Language } from '../review';
import { compatibleSignature, declarationsOn, type Decl } from './declarations';
import { isPublicSurface } from './paths';
import type { BreakingChange } from './types';

/**
 * Breaking changes visible in a diff alone: removed or re-signatured exported declarations,
 * removed HTTP routes, removed configuration keys, and migrations that drop columns or tables.
 * Each rule compares what the commit deletes with what it adds anywhere in the same commit, so
 * moving a function to another file or reordering a config file is not reported.
 */

interface Located<T> {
  value: T;
  file: string;
  line: number;
}

function linesOf(file: DiffFile, kind: 'add' | 'del'): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  for (const hunk of file.hunks) {
    for (const l of hunk.lines) {
      if (l.kind === kind)
        out.push({ text: l.text, line: (kind === 'add' ? l.newLine : l.oldLine) ?? 0 });
    }
  }
  return out;
}

const family = (lang: Language): string => (lang === 'javascript' ? 'typescript' : lang);

function exportChanges(files: DiffFile[]): BreakingChange[] {
  const before = new Map<string, Located<Decl>[]>();
  const after = new Map<string, Decl[]>();
  for (const file of files) {
    if (!isPublicSurface(file.path)) continue;
    for (const kind of ['del', 'add'] as const) {
      for (const { text, line } of linesOf(file, kind)) {
        for (const decl of declarationsOn(file.language, text)) {
          const key = `${family(file.language)}:${decl.name}`;
          if (kind === 'del')
            before.set(key, [...(before.get(key) ?? []), { value: decl, file: file.path, line }]);
          else after.set(key, [...(after.get(key) ?? []), decl]);
        }
      }
    }
  }
  const out: BreakingChange[] = [];
  for (const [key, olds] of before) {
    const news = after.get(key);
    const first = olds[0];
    if (!first) continue;
    const { name, kind } = first.value;
    const what = kind === 'function' ? 'function' : kind === 'type' ? 'type' : 'export';
    if (!news) {
      out.push({
        kind: 'removed_export',
        source: 'diff',
        description: `removed exported ${what} \`${name}\` from ${first.file}`,
        file: first.file,
        line: first.line,
        symbol: name,
      });
      continue;
    }
    const broken = olds.find((o) => !news.some((n) => compatibleSignature(o.value, n)));
    if (broken) {
      out.push({
        kind: 'changed_signature',
        source: 'diff',
        description: `changed the signature of exported ${what} \`${name}\` in ${broken.file}`,
        file: broken.file,
        line: broken.line,
        symbol: name,
      });
    }
  }
  return out;
}

const ROUTE_PATTERNS: readonly RegExp[] = [
  // Express, Koa, Fastify, Hono
  /\b(?:app|router|server|fastify|api|route[rs]?)\.(get|post|put|patch|delete|all)\(\s*['"`]([^'"`]+)['"`]/i,
  // Flask, FastAPI
  /@\w+\.(route|get|post|put|patch|delete)\(\s*['"]([^'"]+)['"]/i,
  // Spring
  /@(Get|Post|Put|Patch|Delete|Request)Mapping\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*"([^"]+)"/,
  // Go net/http, gorilla/mux, gin, echo, chi
  /\.(HandleFunc|Handle|GET|POST|PUT|PATCH|DELETE|Get|Post|Put|Patch|Delete)\(\s*"([^"]+)"/,
];

function routesOn(text: string): string[] {
  for (const re of ROUTE_PATTERNS) {
    const m = re.exec(text);
    if (m?.[1] && m[2]) {
      const method = /^(handlefunc|handle|route|all|request)$/i.test(m[1])
        ? 'ANY'
        : m[1].toUpperCase();
      return [`${method} ${m[2]}`];
    }
  }
  return [];
}

function endpointChanges(files: DiffFile[]): BreakingChange[] {
  const added = new Set<string>();
  const removed: Located<string>[] = [];
  for (const file of files) {
    if (!isPublicSurface(file.path)) continue;
    for (const l of linesOf(file, 'add')) for (const r of routesOn(l.text)) added.add(r);
    for (const l of linesOf(file, 'del')) {
      for (const r of routesOn(l.text)) removed.push({ value: r, file: file.path, line: l.line });
    }
  }
  return removed
    .filter((r) => !added.has(r.value))
    .map((r) => ({
      kind: 'removed_endpoint' as const,
      source: 'diff' as const,
      description: `removed endpoint ${r.value} from ${r.file}`,
      file: r.file,
      line: r.line,
      symbol: r.value,
    }));
}

const CONFIG_FILE =
  /\.(ya?ml|toml|ini|properties|env)$|(^|\/)\.env(\.[\w-]+)?$|(^|\/)(config|settings)[^/]*\.json$/i;
/** Files that hold the project's own tooling, not settings its users write. */
const TOOLING_FILE =
  /(^|\/)(\.github|\.circleci|\.gitlab-ci|node_modules|test|tests|fixtures)\/|(^|\/)(package(-lock)?\.json|tsconfig[^/]*|\.eslintrc[^/]*|\.prettierrc[^/]*|pnpm-lock\.yaml|docker-compose[^/]*|\.gitlab-ci\.yml|mkdocs\.yml|codecov\.yml|\.pre-commit-config\.yaml)$/i;
const CONFIG_KEY = [
  /^\s*"([^"]+)"\s*:/, // JSON
  /^\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*:(?:\s|$)/, // YAML
  /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=/, // TOML, INI, .properties, .env
];

function keyOn(text: string): string | undefined {
  if (/^\s*[#;]/.test(text)) return undefined;
  for (const re of CONFIG_KEY) {
    const m = re.exec(text);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

function configChanges(files: DiffFile[]): BreakingChange[] {
  const out: BreakingChange[] = [];
  for (const file of files) {
    if (!CONFIG_FILE.test(file.path) || TOOLING_FILE.test(file.path)) continue;
    const kept = new Set(linesOf(file, 'add').map((l) => keyOn(l.text)));
    const seen = new Set<string>();
    for (const l of linesOf(file, 'del')) {
      const key = keyOn(l.text);
      if (key === undefined || kept.has(key) || seen.has(key)) continue;
      seen.add(key);
      out.push({
        kind: 'removed_config_key',
        source: 'diff',
        description: `removed configuration key \`${key}\` from ${file.path}`,
        file: file.path,
        line: l.line,
        symbol: key,
      });
    }
  }
  return out;
}

const MIGRATION_FILE = /migrat|alembic|(^|\/)(db|schema)\/|\.sql$/i;
const q = `["'\`]?`;
const DROPS: readonly {
  kind: 'dropped_table' | 'dropped_column';
  re: RegExp;
  table: number;
  column?: number;
}[] = [
  {
    kind: 'dropped_table',
    re: new RegExp(`\\bDROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?${q}([\\w.]+)`, 'i'),
    table: 1,
  },
  {
    kind: 'dropped_column',
    re: new RegExp(
      `\\bALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?${q}([\\w.]+)${q}\\s+DROP\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?${q}(\\w+)`,
      'i',
    ),
    table: 1,
    column: 2,
  },
  {
    kind: 'dropped_column',
    re: new RegExp(`^\\s*DROP\\s+COLUMN\\s+(?:IF\\s+EXISTS\\s+)?${q}(\\w+)`, 'i'),
    table: 0,
    column: 1,
  },
  {
    kind: 'dropped_column',
    re: /\bop\.drop_column\(\s*['"](\w+)['"]\s*,\s*['"](\w+)/,
    table: 1,
    column: 2,
  },
  { kind: 'dropped_table', re: /\bop\.drop_table\(\s*['"](\w+)/, table: 1 },
  {
    kind: 'dropped_column',
    re: /\bremove_column\s*\(?\s*:(\w+)\s*,\s*:(\w+)/,
    table: 1,
    column: 2,
  },
  { kind: 'dropped_table', re: /\bdrop_table\s*\(?\s*:(\w+)/, table: 1 },
  {
    kind: 'dropped_column',
    re: /\.dropColumns?\(\s*['"](\w+)['"]\s*,\s*\[?\s*['"](\w+)/,
    table: 1,
    column: 2,
  },
  { kind: 'dropped_column', re: /\.dropColumns?\(\s*['"](\w+)['"]\s*\)/, table: 0, column: 1 },
  { kind: 'dropped_table', re: /\.dropTable(?:IfExists)?\(\s*['"](\w+)/, table: 1 },
];
/** What the same file creates: a drop of something it creates is the down half of a migration. */
const CREATES =
  /\b(?:CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?|ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?|create_table\(?\s*[:'"]|add_column\(?\s*[:'"]?\w+['"]?\s*,\s*[:'"]|createTable\(\s*['"]|addColumns?\(\s*['"]\w+['"]\s*,\s*\{?\s*['"]?|\.(?:string|integer|text|boolean|timestamp|uuid|jsonb?)\(\s*['"])["'`]?([\w.]+)/gi;

function migrationChanges(files: DiffFile[]): BreakingChange[] {
  const out: BreakingChange[] = [];
  for (const file of files) {
    if (!MIGRATION_FILE.test(file.path) || file.status === 'deleted') continue;
    const added = linesOf(file, 'add');
    const created = new Set<string>();
    for (const l of added)
      for (const m of l.text.matchAll(CREATES)) if (m[1]) created.add(m[1].toLowerCase());
    for (const l of added) {
      if (/^\s*(--|#|\/\/)/.test(l.text)) continue;
      for (const d of DROPS) {
        const m = d.re.exec(l.text);
        if (!m) continue;
        const table = d.table > 0 ? m[d.table] : undefined;
        const column = d.column !== undefined ? m[d.column] : undefined;
        const dropped = (column ?? table ?? '').toLowerCase();
        if (dropped === '' || created.has(dropped) || created.has(dropped.split('.').pop() ?? ''))
          break;
        const symbol = [table, column].filter((s) => s !== undefined).join('.');
        out.push({
          kind: d.kind,
          source: 'diff',
          description:
            d.kind === 'dropped_table'
              ? `migration drops table \`${symbol}\` (${file.path})`
              : `migration drops column \`${symbol}\` (${file.path})`,
          file: file.path,
          line: l.line,
          symbol,
        });
        break;
      }
    }
  }
  return out;
}

/** Every breaking change the diff shows, in file-and-line order. */
export function breakingChangesInDiff(files: DiffFile[]): BreakingChange[] {
  const all = [
    ...exportChanges(files),
    ...endpointChanges(files),
    ...configChanges(files),
    ...migrationChanges(files),
  ];
  // code-point order, not localeCompare: the output must not depend on the host's locale
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return all.sort(
    (a, b) =>
      cmp(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      cmp(a.kind, b.kind) ||
      cmp(a.description, b.description),
  );
}
