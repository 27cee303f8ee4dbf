import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Counter, register } from 'prom-client';
import type { Config } from '../domain/config';
import {
  baselineHistoryCheck,
  chaosCheck,
  criticalRegressions,
  evalSizeCheck,
  liveChecks,
  loadChecks,
  regressionCheck,
  regressionScheduleId,
  scoreGainCheck,
  type CheckResult,
  type GatePolicy,
  type GateStageName,
  type VersionStatus,
} from '../domain/gate';
import type { ModelConfig } from '../domain/modelConfig';
import { appendAudit } from '../store/audit';
import type { Db } from '../store/db';
import {
  appendVersionEvent,
  firstReviewAt,
  getVersion,
  listVersionEvents,
  promoteToProduction,
  setVersionStatus,
  setWeight,
  VersionError,
  type VersionEventKind,
} from '../store/versions';
import { defaultProbes, type GateProbes } from './gateProbes';

export const gateMetrics = {
  regressions: new Counter({
    name: 'quorum_gate_regressions_total',
    help: 'Daily regression evals of the production version that found a regression',
    labelNames: ['version'] as const,
    registers: [register],
  }),
};

/** Store errors are facts, not hiccups: retrying a forbidden transition will not help. */
function nonRetryable<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    if (err instanceof VersionError) throw ApplicationFailure.nonRetryable(err.message, err.code);
    throw err;
  });
}

/** Keyed by workflow and activity id: a retried attempt writes once. */
function idempotencyKey(): string {
  const { info } = Context.current();
  const wf = info.workflowExecution;
  return `${wf?.workflowId ?? 'standalone'}/${wf?.runId ?? ''}/${info.activityId}`;
}

/** Long runs heartbeat so a dead worker is noticed, and so abort's cancellation reaches them. */
async function heartbeating<T>(run: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), 10_000);
  try {
    return await Promise.race([run(), ctx.cancelled]);
  } finally {
    clearInterval(timer);
  }
}

/** A probe that could not run is a failed check, measured as such, not a crashed gate. */
async function guarded(name: string, run: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await heartbeating(run);
  } catch (err) {
    if (err instanceof Error && err.name === 'CancelledFailure') throw err;
    const detail = err instanceof Error ? err.message : String(err);
    return [
      { name: `${name}_ran`, value: 0, threshold: 1, comparator: '>=', passed: false, detail },
    ];
  }
}

export interface GateEventInput {
  version: string;
  kind: VersionEventKind;
  stage: GateStageName | null;
  at: string;
  action?: string;
  actor?: string;
  reason?: string;
  force?: boolean;
  outcome?: string;
  weight?: number;
  checks?: CheckResult[];
}

export interface GateActivityDeps {
  db: Db;
  config: Config;
  probes?: Partial<GateProbes>;
}

export function createGateActivities(deps: GateActivityDeps) {
  const { db } = deps;
  const probes: GateProbes = { ...defaultProbes(deps), ...deps.probes };

  return {
    async gateSetStatus(input: {
      version: string;
      status: VersionStatus;
      stage: GateStageName | null;
    }): Promise<void> {
      await nonRetryable(setVersionStatus(db, input.version, input.status, input.stage));
    },

    async gateSetWeight(input: { version: string; weight: number }): Promise<void> {
      await nonRetryable(setWeight(db, input.version, input.weight));
      await appendVersionEvent(db, {
        versionId: input.version,
        kind: 'weight',
        details: { weight: input.weight },
        idempotencyKey: idempotencyKey(),
      });
    },

    async gateRecordEvent(e: GateEventInput): Promise<void> {
      const { version, kind, stage, actor, checks, at, ...details } = e;
      await appendVersionEvent(db, {
        versionId: version,
        kind,
        stage,
        actor: actor ?? null,
        details,
        checks: checks ?? [],
        at,
        idempotencyKey: idempotencyKey(),
      });
    },

    async gateQualificationChecks(input: {
      version: string;
      modelConfig: ModelConfig;
      baselineVersion: string | null;
      baselineConfig: ModelConfig | null;
      policy: GatePolicy;
    }): Promise<CheckResult[]> {
      const { policy } = input;
      return guarded('qualification', async () => {
        const first = input.baselineVersion ? await firstReviewAt(db, input.baselineVersion) : null;
        const history = baselineHistoryCheck(first ? probes.now() - Date.parse(first) : 0, policy);
        if (!input.baselineConfig) return [history];
        const cases = policy.qualification.evalCases;
        const candidate = await probes.evaluate({ modelConfig: input.modelConfig, cases });
        const baseline = await probes.evaluate({ modelConfig: input.baselineConfig, cases });
        // Kept as the reference the daily regression eval compares production against.
        await appendVersionEvent(db, {
          versionId: input.version,
          kind: 'measurement',
          stage: 'qualification',
          details: {
            evalReference: {
              score: candidate.score,
              rightCritical: candidate.cases
                .filter((c) => c.critical && c.right)
                .map((c) => c.caseId),
            },
          },
          idempotencyKey: `${idempotencyKey()}/reference`,
        });
        return [
          history,
          scoreGainCheck(candidate, baseline, policy),
          regressionCheck(candidate.cases, baseline.cases, policy),
        ];
      });
    },

    async gateStagingEval(input: { modelConfig: ModelConfig; policy: GatePolicy }) {
      return guarded('staging_eval', async () => {
        const summary = await probes.evaluate({
          modelConfig: input.modelConfig,
          cases: input.policy.staging.minEvalCases,
        });
        return [evalSizeCheck(summary, input.policy)];
      });
    },

    async gateLoadTest(input: { modelConfig: ModelConfig; policy: GatePolicy }) {
      return guarded('load', async () => loadChecks(await probes.loadTest(input), input.policy));
    },

    async gateChaosRun(input: { modelConfig: ModelConfig; policy: GatePolicy }) {
      return guarded('chaos', async () => [chaosCheck(await probes.chaos(input), input.policy)]);
    },

    async gateMeasureLive(input: {
      version: string;
      baselineVersion: string | null;
      since: string;
      policy: GatePolicy;
    }): Promise<CheckResult[]> {
      const sample = await probes.measureLive({
        version: input.version,
        baseline: input.baselineVersion,
        since: input.since,
      });
      return liveChecks(sample, input.policy);
    },

    async gatePromoteToProduction(input: { version: string }): Promise<{ retired: string | null }> {
      const before = await db.query<{ id: string }>(
        "SELECT id FROM model_versions WHERE status = 'production'",
      );
      const previous = before.rows[0]?.id ?? null;
      await nonRetryable(promoteToProduction(db, input.version));
      return { retired: previous === input.version ? null : previous };
    },

    async gateEnsureRegressionSchedule(input: {
      version: string;
      policy: GatePolicy;
      retired: string | null;
    }): Promise<{ scheduleId: string }> {
      const { info, client } = Context.current();
      const scheduleId = regressionScheduleId(input.version);
      await probes.ensureSchedule({
        client,
        scheduleId,
        ...(input.retired ? { retiredScheduleId: regressionScheduleId(input.retired) } : {}),
        version: input.version,
        cases: input.policy.production.regressionCases,
        everyMs: input.policy.production.regressionEveryMs,
        taskQueue: info.taskQueue,
      });
      return { scheduleId };
    },

    /** Production against its own qualification-time eval: the score must hold, no critical case lost. */
    async gateRegressionEval(input: {
      version: string;
      cases: number;
    }): Promise<{ passed: boolean; checks: CheckResult[] }> {
      const version = await getVersion(db, input.version);
      if (!version)
        throw ApplicationFailure.nonRetryable(`no version ${input.version}`, 'not_found');
      const reference = (await listVersionEvents(db, input.version))
        .map(
          (e) => e.details.evalReference as { score: number; rightCritical: string[] } | undefined,
        )
        .find((r) => r !== undefined);
      const now = await heartbeating(() =>
        probes.evaluate({ modelConfig: version.modelConfig, cases: input.cases }),
      );
      const lost = criticalRegressions(
        now.cases,
        (reference?.rightCritical ?? []).map((caseId) => ({ caseId, right: true, critical: true })),
      );
      const checks: CheckResult[] = [
        {
          name: 'regression_score',
          value: now.score,
          threshold: reference?.score ?? 0,
          comparator: '>=',
          passed: now.score >= (reference?.score ?? 0),
        },
        {
          name: 'regression_critical_cases_lost',
          value: lost.length,
          threshold: 0,
          comparator: '<=',
          passed: lost.length === 0,
          ...(lost.length ? { detail: lost.slice(0, 20).join(', ') } : {}),
        },
      ];
      return { passed: checks.every((c) => c.passed), checks };
    },

    async gateRaiseRegressionAlert(input: { version: string; checks: CheckResult[] }) {
      const key = idempotencyKey();
      const entry = await appendAudit(db, {
        actor: `workflow:${Context.current().info.workflowExecution?.workflowId ?? 'standalone'}`,
        action: 'version.regression',
        resource: `/api/v2/vc-ai/versions/${input.version}`,
        outcome: 'failure',
        details: { checks: input.checks },
        idempotencyKey: key,
      });
      await appendVersionEvent(db, {
        versionId: input.version,
        kind: 'alert',
        stage: 'production',
        checks: input.checks,
        details: { auditSeq: entry.seq },
        idempotencyKey: key,
      });
      gateMetrics.regressions.inc({ version: input.version });
    },
  };
}

export type GateActivities = ReturnType<typeof createGateActivities>;
