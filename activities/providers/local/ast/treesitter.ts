import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { Language, Parser } from 'web-tree-sitter';

export type TreeSitterFamily = 'py' | 'go' | 'java';
export type { Node };

const GRAMMAR_FILES: Record<TreeSitterFamily, string> = {
  py: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  java: 'tree-sitter-java.wasm',
};

let parsers: Record<TreeSitterFamily, Parser> | null = null;
let loading: Promise<void> | null = null;

/**
 * The runtime is web-tree-sitter; the grammars are the WASM builds shipped inside
 * @vscode/tree-sitter-wasm (same ABI). Nothing is compiled or downloaded. Grammars are handed
 * over as bytes because loading by path makes web-tree-sitter use a dynamic import, which
 * jest's module sandbox refuses.
 */
export function loadGrammars(): Promise<void> {
  loading ??= (async () => {
    await Parser.init();
    const dir = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
    const made = {} as Record<TreeSitterFamily, Parser>;
    for (const family of Object.keys(GRAMMAR_FILES) as TreeSitterFamily[]) {
      const parser = new Parser();
      parser.setLanguage(await Language.load(readFileSync(path.join(dir, GRAMMAR_FILES[family]))));
      made[family] = parser;
    }
    parsers = made;
  })().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

function errorCount(node: Node): number {
  if (!node.hasError && !node.isMissing) return 0;
  let n = node.isError || node.isMissing ? 1 : 0;
  for (const child of node.children) if (child) n += errorCount(child);
  return n;
}

/** A parsed snippet: `offset` is how many wrapper lines precede the first line of the hunk. */
export interface Parsed {
  root: Node;
  offset: number;
  tree: Tree;
}

// Hunks are fragments: a Java method without its class, Python indented one level deep. Each
// framing is tried and the one the grammar accepts with the fewest errors wins.
function framings(family: TreeSitterFamily, lines: string[]): { text: string; offset: number }[] {
  if (family === 'py') {
    const indents = lines
      .filter((l) => l.trim() !== '')
      .map((l) => /^\s*/.exec(l)?.[0].length ?? 0);
    const cut = indents.length > 0 ? Math.min(...indents) : 0;
    return [
      {
        text: lines.map((l) => l.slice(Math.min(cut, /^\s*/.exec(l)?.[0].length ?? 0))).join('\n'),
        offset: 0,
      },
    ];
  }
  const raw = lines.join('\n');
  if (family === 'java') {
    return [
      { text: raw, offset: 0 },
      { text: `class Q__ {\n${raw}\n}`, offset: 1 },
      { text: `class Q__ { void q__() {\n${raw}\n}}`, offset: 1 },
    ];
  }
  return [
    { text: raw, offset: 0 },
    { text: `package q\n${raw}`, offset: 1 },
    { text: `package q\nfunc q__() {\n${raw}\n}`, offset: 2 },
  ];
}

/** Parses a hunk's new side; the caller must `tree.delete()` the result when done. */
export function parseSnippet(family: TreeSitterFamily, lines: string[]): Parsed {
  if (!parsers)
    throw new Error('local ast engine: grammars not loaded; await prepareLocalAnalyzer() first');
  let best: Parsed | null = null;
  let bestErrors = Infinity;
  for (const f of framings(family, lines)) {
    const tree = parsers[family].parse(f.text);
    if (!tree) continue;
    const errors = errorCount(tree.rootNode);
    if (errors < bestErrors) {
      best?.tree.delete();
      best = { root: tree.rootNode, offset: f.offset, tree };
      bestErrors = errors;
    } else {
      tree.delete();
    }
    if (errors === 0) break;
  }
  if (!best) throw new Error(`local ast engine: the ${family} parser returned no tree`);
  return best;
}

/** Depth-first, in source order. */
export function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const child of node.namedChildren) if (child) walk(child, visit);
}

export function named(node: Node | null | undefined): Node[] {
  return node ? node.namedChildren.filter((c): c is Node => c !== null) : [];
}

export function ancestors(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}
