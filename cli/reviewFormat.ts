import pc from 'picocolors';
import type { ReviewView } from '../api/reviewView';
import { SEVERITY_RANK, type Finding, type Severity } from '../domain/review';

/** How `npm run review` shows a review to a person; pure, so it is tested without a terminal. */

type Colors = ReturnType<typeof pc.createColors>;

const SEVERITY_STYLE: Record<Severity, (c: Colors, s: string) => string> = {
  critical: (c, s) => c.bold(c.red(s)),
  high: (c, s) => c.red(s),
  medium: (c, s) => c.yellow(s),
  low: (c, s) => c.cyan(s),
  info: (c, s) => c.dim(s),
};

const VERDICT_STYLE: Record<
  NonNullable<ReviewView['verdict']>,
  (c: Colors, s: string) => string
> = {
  approve: (c, s) => c.green(s),
  comment: (c, s) => c.yellow(s),
  request_changes: (c, s) => c.bold(c.red(s)),
};

/** A finding counts against --fail-on unless a human dismissed it. */
export function exceedsThreshold(review: Pick<ReviewView, 'findings'>, failOn: Severity): boolean {
  return review.findings.some(
    (f) => f.status !== 'dismissed' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn],
  );
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function lines(f: Finding): string {
  return f.startLine === f.endLine ? `line ${f.startLine}` : `lines ${f.startLine}-${f.endLine}`;
}

function formatFinding(f: Finding, c: Colors): string {
  const severity = SEVERITY_STYLE[f.severity](c, f.severity.toUpperCase().padEnd(8));
  const meta = c.dim(
    `${f.dimension} · ${lines(f)} · confidence ${f.confidence.toFixed(2)} (${f.bucket}) · ` +
      `${f.agreement.replace('_', ' ')}${f.status === 'open' ? '' : ` · ${f.status}`}`,
  );
  const out = [`  ${severity} ${c.bold(f.title)}`, `           ${meta}`];
  out.push(indent(f.explanation, '           '));
  if (f.suggestedFix) out.push(c.dim('           fix:'), indent(f.suggestedFix, '             '));
  return out.join('\n');
}

function headline(review: ReviewView, c: Colors): string {
  const verdict = review.verdict ? VERDICT_STYLE[review.verdict](c, review.verdict) : '';
  const bySeverity = (Object.keys(SEVERITY_RANK) as Severity[])
    .filter((s) => review.summary.bySeverity[s] > 0)
    .map((s) => `${review.summary.bySeverity[s]} ${s}`)
    .join(', ');
  const count = plural(review.summary.total, 'finding') + (bySeverity ? ` (${bySeverity})` : '');
  return [c.bold(review.id), review.status, verdict, count].filter(Boolean).join(' · ');
}

function coverage(review: ReviewView): string[] {
  const reviewed = review.coverage.filter((f) => f.outcome === 'reviewed').length;
  const others = review.coverage.filter((f) => f.outcome !== 'reviewed');
  const out = [`Coverage: ${plural(reviewed, 'file')} reviewed of ${review.coverage.length}`];
  for (const f of others) {
    const why = [f.reason, f.detail].filter(Boolean).join(': ');
    out.push(`  ${f.outcome} ${f.file}${why ? ` (${why})` : ''}`);
  }
  return out;
}

function provenance(review: ReviewView): string[] {
  if (review.provenance.length === 0) return [];
  const out = ['Models:'];
  for (const p of review.provenance) {
    const hops = p.failoverHops.map((h) => `${h.provider} failed: ${h.reason}`).join('; ');
    out.push(
      `  chunk ${p.chunkIndex} ${p.role}: ${p.provider}/${p.model}, ${Math.round(p.latencyMs)} ms, ` +
        `${p.inputTokens}+${p.outputTokens} tokens${hops ? ` (after ${hops})` : ''}`,
    );
  }
  return out;
}

export function formatReview(review: ReviewView, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [headline(review, c)];
  const about = [review.repository, review.title].filter(Boolean).join(' · ');
  if (about) out.push(c.dim(about));
  if (review.error) out.push(c.red(`Failed: ${review.error.message}`));

  const byFile = new Map<string, Finding[]>();
  for (const f of review.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  for (const [file, findings] of byFile) {
    out.push('', c.bold(c.underline(file)), ...findings.map((f) => formatFinding(f, c)));
  }
  if (review.findings.length === 0 && review.status === 'completed') {
    out.push('', c.green('No findings.'));
  }
  if (review.pendingDecisions.length > 0) {
    out.push(
      '',
      c.yellow(
        `Waiting for a human decision on ${plural(review.pendingDecisions.length, 'disputed finding')}:`,
      ),
      ...review.pendingDecisions.map(
        (f) =>
          `  ${f.id} ${f.file}:${f.startLine} ${f.title} → POST ${review.links.findings}/${f.id}/decision`,
      ),
    );
  }
  out.push('', ...coverage(review));
  if (review.redactions.length > 0) {
    const where = review.redactions.map((r) => `${r.kind} at ${r.file}:${r.line}`).join(', ');
    out.push(`Redacted before review: ${where}`);
  }
  out.push(...provenance(review));
  return out.join('\n') + '\n';
}
