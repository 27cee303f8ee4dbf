import type { DiffFile } from './review';

const PREFIX = { add: '+', del: '-', context: ' ' } as const;

/** Unified-diff text of parsed (and usually redacted) files: what is stored as the request's diff. */
export function renderDiff(files: readonly DiffFile[]): string {
  const out: string[] = [];
  for (const f of files) {
    const oldPath = f.status === 'added' ? '/dev/null' : `a/${f.oldPath ?? f.path}`;
    const newPath = f.status === 'deleted' ? '/dev/null' : `b/${f.path}`;
    out.push(`diff --git a/${f.oldPath ?? f.path} b/${f.path}`);
    if (f.binary) {
      out.push(`Binary files ${oldPath} and ${newPath} differ`);
      continue;
    }
    out.push(`--- ${oldPath}`, `+++ ${newPath}`);
    for (const h of f.hunks) {
      out.push(h.header);
      for (const l of h.lines) out.push(PREFIX[l.kind] + l.text);
    }
  }
  return out.join('\n') + '\n';
}
