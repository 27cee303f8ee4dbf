import type { ModelFinding, ModelOutput, ReviewChunk } from '../../../domain/review';
import { SEVERITIES, SEVERITY_RANK } from '../../../domain/review';
import { runAst } from './ast';
import { loadGrammars } from './ast/treesitter';
import type { Engine, Hit } from './finding';
import { toModelFinding } from './finding';
import { runRules } from './rules';
import type { FileView } from './source';
import { fileViews } from './source';

/** Model identifiers recorded in provenance for the two offline engines. */
export const LOCAL_MODELS = { rules: 'local/rules-v1', ast: 'local/ast-v1' } as const;

export type LocalEngine = Engine;

const MAX_FINDINGS = 500;

/**
 * Loads the tree-sitter grammars the `ast` engine uses for Python, Go and Java. Idempotent;
 * `analyzeChunk('ast', …)` throws until it has resolved, rather than silently analysing less.
 */
export function prepareLocalAnalyzer(): Promise<void> {
  return loadGrammars();
}

/** Reviews one chunk offline with one engine. Same chunk, same engine → deep-equal output. */
export function analyzeChunk(engine: Engine, chunk: ReviewChunk): ModelOutput {
  const files = fileViews(chunk);
  const hits = engine === 'rules' ? runRules(files) : runAst(files);
  const findings = canonical(anchor(hits, files).map((h) => toModelFinding(engine, h)));
  return { findings, summary: summarize(engine, findings, files.length) };
}

/** The activity-facing form: makes sure the grammars are loaded, then analyses. */
export async function analyzeChunkLocally(
  engine: Engine,
  chunk: ReviewChunk,
): Promise<ModelOutput> {
  await prepareLocalAnalyzer();
  return analyzeChunk(engine, chunk);
}

/** Keeps only findings that touch added lines, shrinking each range to its added endpoints. */
function anchor(hits: Hit[], files: FileView[]): Hit[] {
  const added = new Map(files.map((f) => [f.path, f.added]));
  const out: Hit[] = [];
  for (const h of hits) {
    const lines = added.get(h.file);
    if (!lines) continue;
    let start = -1;
    let end = -1;
    for (let n = h.startLine; n <= h.endLine; n++) {
      if (!lines.has(n)) continue;
      if (start < 0) start = n;
      end = n;
    }
    if (start > 0) out.push({ ...h, startLine: start, endLine: end });
  }
  return out;
}

function compare(a: ModelFinding, b: ModelFinding): number {
  const key = (f: ModelFinding): (string | number)[] => [
    f.file,
    f.startLine,
    f.endLine,
    -SEVERITY_RANK[f.severity],
    f.dimension,
    f.ruleId ?? '',
    f.title,
  ];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] as string | number;
    const y = kb[i] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Sorted, one finding per rule and start line, most severe kept when the cap bites. */
function canonical(findings: ModelFinding[]): ModelFinding[] {
  const seen = new Set<string>();
  const unique = findings.sort(compare).filter((f) => {
    const key = `${f.file}\u0000${f.startLine}\u0000${f.ruleId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length <= MAX_FINDINGS) return unique;
  const kept = [...unique]
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compare(a, b))
    .slice(0, MAX_FINDINGS);
  return kept.sort(compare);
}

function summarize(engine: Engine, findings: ModelFinding[], fileCount: number): string {
  const counts = SEVERITIES.map(
    (s) => [s, findings.filter((f) => f.severity === s).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const what = counts.length > 0 ? counts.join(', ') : 'no findings';
  return `${LOCAL_MODELS[engine]} reviewed ${fileCount} file(s): ${what}.`;
}
