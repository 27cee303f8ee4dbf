import type { DiffFile } from '../review';
import { fileKind, sensitiveAreas } from './paths';
import type { BreakingChange, DiffStats, Risk, RiskFactor, RiskLevel } from './types';

/**
 * Risk 0–100 as a sum of named factors, so a reader sees why a commit scored what it did.
 * Churn and file count grow logarithmically: the hundredth file adds less risk than the second.
 */

const CHURN_MAX = 25;
const CHURN_SATURATION = 2000;
const FILES_MAX = 15;
const FILES_SATURATION = 50;
const SENSITIVE_EACH = 10;
const SENSITIVE_MAX = 30;
const BREAKING_POINTS = 20;
const UNTESTED_POINTS = 10;

export function diffStats(files: DiffFile[]): DiffStats {
  let additions = 0;
  let deletions = 0;
  for (const f of files) {
    for (const h of f.hunks) {
      for (const l of h.lines) {
        if (l.kind === 'add') additions += 1;
        else if (l.kind === 'del') deletions += 1;
      }
    }
  }
  const kinds = files.map((f) => fileKind(f.path));
  const languages = [...new Set(files.map((f) => f.language).filter((l) => l !== 'other'))].sort();
  return {
    files: files.length,
    additions,
    deletions,
    codeFiles: kinds.filter((k) => k === 'code').length,
    testFiles: kinds.filter((k) => k === 'test').length,
    docFiles: kinds.filter((k) => k === 'docs').length,
    languages,
  };
}

const logScale = (value: number, saturation: number, max: number): number =>
  Math.min(max, Math.round((max * Math.log10(1 + value)) / Math.log10(1 + saturation)));

export function riskLevel(score: number): RiskLevel {
  if (score >= 75) return 'critical';
  if (score >= 50) return 'high';
  if (score >= 25) return 'medium';
  return 'low';
}

export function assessRisk(files: DiffFile[], stats: DiffStats, breaking: BreakingChange[]): Risk {
  const factors: RiskFactor[] = [];
  const churn = stats.additions + stats.deletions;
  if (churn > 0) {
    factors.push({
      name: 'churn',
      points: logScale(churn, CHURN_SATURATION, CHURN_MAX),
      detail: `${churn} lines changed (+${stats.additions} −${stats.deletions})`,
    });
  }
  if (stats.files > 0) {
    factors.push({
      name: 'files_touched',
      points: logScale(stats.files, FILES_SATURATION, FILES_MAX),
      detail: `${stats.files} file${stats.files === 1 ? '' : 's'} touched`,
    });
  }
  const areas = [...new Set(files.flatMap((f) => sensitiveAreas(f.path)))].sort();
  if (areas.length > 0) {
    factors.push({
      name: 'sensitive_paths',
      points: Math.min(SENSITIVE_MAX, SENSITIVE_EACH * areas.length),
      detail: `touches ${areas.join(', ')}`,
    });
  }
  if (breaking.length > 0) {
    factors.push({
      name: 'breaking_changes',
      points: BREAKING_POINTS,
      detail: `${breaking.length} breaking change${breaking.length === 1 ? '' : 's'}`,
    });
  }
  if (stats.codeFiles > 0 && stats.testFiles === 0) {
    factors.push({
      name: 'untested_code',
      points: UNTESTED_POINTS,
      detail: `${stats.codeFiles} source file${stats.codeFiles === 1 ? '' : 's'} changed without a test change`,
    });
  }
  const score = Math.min(
    100,
    factors.reduce((s, f) => s + f.points, 0),
  );
  return { score, level: riskLevel(score), factors };
}
