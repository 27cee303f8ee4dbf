import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EndpointFigures } from './load';
import type { Outcome } from './tracker';

export interface Summary {
  mode: 'short' | 'full';
  startedAt: string;
  durationSeconds: number;
  database: string;
  scenarios: Outcome[];
  load: EndpointFigures[];
  violations: string[];
}

/** Lost, stuck, duplicated or reasonless failures, and failed scenario checks: each fails the run. */
export function violations(outcomes: Outcome[]): string[] {
  return outcomes.flatMap((o) => [
    ...(o.lost > 0 ? [`${o.scenario}: ${o.lost} lost`] : []),
    ...(o.stuck > 0 ? [`${o.scenario}: ${o.stuck} stuck`] : []),
    ...(o.duplicates > 0 ? [`${o.scenario}: ${o.duplicates} duplicated`] : []),
    ...(o.failedWithoutReason > 0
      ? [`${o.scenario}: ${o.failedWithoutReason} failed without a reason`]
      : []),
    ...o.failedChecks.map((c) => `${o.scenario}: ${c}`),
  ]);
}

export function table(outcomes: Outcome[]): string {
  const head = [
    'scenario',
    'submitted',
    'completed',
    'failed-with-reason',
    'duplicates',
    'lost',
    'stuck',
    'not-accepted',
    'p50 e2e s',
    'p99 e2e s',
    'over 60s',
  ];
  const rows = outcomes.map((o) => [
    o.scenario,
    String(o.submitted),
    String(o.completed),
    String(o.failedWithReason),
    String(o.duplicates),
    String(o.lost),
    String(o.stuck),
    String(o.notAccepted),
    o.p50s.toFixed(2),
    o.p99s.toFixed(2),
    String(o.over60s),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    '| ' +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join(' | ') +
    ' |';
  const rule = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|';
  return [fmt(head), rule, ...rows.map(fmt)].join('\n');
}

export function loadTable(endpoints: EndpointFigures[]): string {
  if (endpoints.length === 0) return '';
  const lines = [
    '| endpoint | rate/s | requests | non-2xx | errors | p50 ms | p99 ms | p99.9 ms | max ms | SLA p99 ms | met |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...endpoints.map(
      (e) =>
        `| ${e.endpoint} | ${e.ratePerSecond} | ${e.requests} | ${e.non2xx} | ${e.errors} | ` +
        `${e.p50} | ${e.p99} | ${e.p999} | ${e.max} | ${e.slaP99Ms} | ${e.withinSla ? 'yes' : 'no'} |`,
    ),
  ];
  return lines.join('\n');
}

export async function writeSummary(file: string, summary: Summary): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
}
