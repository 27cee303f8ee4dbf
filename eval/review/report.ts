import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvalReport } from './evaluate';

const pct = (x: number | null): string =>
  x === null ? '   n/a' : `${(x * 100).toFixed(1)}%`.padStart(6);
const mark = (ok: boolean): string => (ok ? 'pass' : 'FAIL');

/** The human view: one row per dimension against its targets, then the two guarantees. */
export function formatReport(r: EvalReport): string {
  const head = 'dimension        tp   fp   fn  precision (target)  recall (target)     F1  result';
  const rows = r.dimensions.map((d) =>
    [
      d.dimension.padEnd(15),
      String(d.tp).padStart(4),
      String(d.fp).padStart(4),
      String(d.fn).padStart(4),
      `   ${pct(d.precision)} (${pct(d.target.precision)})`,
      ` ${pct(d.recall)} (${pct(d.target.recall)})`,
      ` ${pct(d.f1)}`,
      ` ${mark(d.pass.precision && d.pass.recall)}`,
    ].join(' '),
  );
  const o = r.overall;
  const g = o.guarantees;
  const s = r.caseSet;
  return [
    `review eval · version ${r.version} · case set ${s.id} (${s.hash.slice(0, 12)}) · ` +
      `${s.total} cases (${s.synthetic} synthetic, ${s.critical} critical-dimension)`,
    '',
    head,
    ...rows,
    '',
    `false-positive rate ${pct(g.falsePositiveRate.measured)} (≤ ${pct(g.falsePositiveRate.target)}) ` +
      `${mark(g.falsePositiveRate.pass)}   fp/(tp+fp), ${o.fpOnNonFindings} of ${o.fp} on labelled non-findings`,
    `false-negative rate ${pct(g.falseNegativeRate.measured)} (≤ ${pct(g.falseNegativeRate.target)}) ` +
      `${mark(g.falseNegativeRate.pass)}   fn/(tp+fn)`,
    `micro F1 ${pct(o.microF1)} · macro F1 (score) ${pct(o.macroF1)} · duplicates ${o.duplicates}`,
    `cases right ${o.cases.right}/${o.cases.total} · critical-dimension right ` +
      `${o.cases.criticalRight}/${o.cases.critical}`,
    `took ${(r.timings.durationMs / 1000).toFixed(1)} s (per case p50 ${r.timings.caseP50Ms} ms, ` +
      `p95 ${r.timings.caseP95Ms} ms) · overall ${r.passed ? 'PASS' : 'FAIL'}`,
  ].join('\n');
}

export function defaultReportPath(r: Pick<EvalReport, 'version'>, root = '.quorum/eval'): string {
  return path.join(root, `${r.version}.json`);
}

export async function writeReportJson(r: EvalReport, file: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
}
