import type { Client, WorkflowHandle } from '@temporalio/client';
import type pg from 'pg';
import { z } from 'zod';
import type { Config } from '../domain/config';
import { needsDecision, type ConsensusPolicy } from '../domain/consensus';
import { DiffError, prepareDiff } from '../domain/diff';
import { modelConfigFrom, modelConfigVersion, type ModelConfig } from '../domain/modelConfig';
import { redactText } from '../domain/redact';
import { renderDiff } from '../domain/renderDiff';
import { ProviderName, type Finding, type ReviewRequest } from '../domain/review';
import {
  CONSENSUS_STATE_QUERY,
  REVIEW_STATUS_QUERY,
  type ConsensusState,
  type ReviewProgress,
  type ReviewWorkflowInput,
  type ModelOverrides,
} from '../domain/reviewFlow';
import { reviewIdFor } from '../domain/reviewId';
import { summarise } from '../domain/verdict';
import { saveReviewInput } from '../store/reviewInputs';
import { withTransaction } from '../store/db';
import {
  getReview,
  queueReview,
  reviewStatus,
  saveReview,
  type StoredReview,
} from '../store/reviews';
import { currentRouting, pickModelConfig } from '../store/versions';
import { ApiError } from './errors';
import { reviewStarts, type ReviewStarts } from './reviewStarts';
import { toView, type ReviewView } from './reviewView';
import { DIFF_ERROR, MAX_WAIT_SECONDS, workflowCalls } from './workflowCalls';

/**
 * Submitting and reading reviews. The API never calls a model: it validates, prepares the diff
 * (parse, redact, chunk — pure and fast), stores it, and hands the rest to `reviewWorkflow`.
 */

/** Diffs above this many UTF-8 bytes are refused with 413 (documented in the OpenAPI text). */
export const MAX_DIFF_BYTES = 4 * 1024 * 1024;
export { MAX_WAIT_SECONDS };

export type Submission =
  { done: true; review: ReviewView } | { done: false; id: string; status: StoredReview['status'] };

export interface ReviewServiceDeps {
  config: Config;
  db: pg.Pool;
  client: Client;
  /** one is made when omitted; the API shares its own with the sweeper (cli/stack/stack.ts) */
  starts?: ReviewStarts;
}

/**
 * A submission without `wait` is answered once its workflow has started or after this long,
 * whichever is first: the review is stored by then, and a slow Temporal should not slow the API.
 */
const START_BUDGET_MS = 100;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * JSON can carry text PostgreSQL cannot store (NUL, lone surrogates), and a body decoded from
 * bytes that were not UTF-8 arrives with U+FFFD where they were: refuse both plainly rather than
 * review a mangled diff or fail on the insert.
 */
function checkText(req: ReviewRequest): void {
  const fields: [string, string | undefined][] = [
    ['diff', req.diff],
    ['repository', req.repository],
    ['title', req.title],
    ['description', req.description],
    ...(req.languageHints ?? []).map((h, i): [string, string] => [`languageHints.${i}`, h]),
  ];
  for (const [field, value] of fields) {
    if (value === undefined) continue;
    if (value.includes('\0') || LONE_SURROGATE.test(value)) {
      throw new ApiError('invalid_request', `${field} contains characters that are not text.`, {
        field,
        reason: 'not_text',
      });
    }
  }
  const bad = req.diff.indexOf('\ufffd');
  if (bad >= 0) {
    const line = req.diff.slice(0, bad).split('\n').length;
    throw new ApiError(
      'unprocessable',
      `The diff is not valid UTF-8 (first bad byte on line ${line}). Re-encode it as UTF-8, ` +
        'or mark such files binary (.gitattributes) so git emits a binary patch.',
      { field: 'diff', reason: 'not_utf8', line },
    );
  }
}

function redactLines(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text
    .split('\n')
    .map((l) => redactText(l).text)
    .join('\n');
}

function prepare(req: ReviewRequest, config: Config) {
  try {
    const opts = { tokenBudget: config.models.chunkTokenBudget, maxBytes: MAX_DIFF_BYTES };
    const prepared = prepareDiff(req, opts);
    // The stored diff is the redacted one: secrets never reach the database.
    return { ...prepared, redactedDiff: renderDiff(prepared.files) };
  } catch (err) {
    if (err instanceof DiffError) {
      throw new ApiError(DIFF_ERROR[err.code], err.message, {
        reason: err.code,
        ...err.details,
      });
    }
    throw err;
  }
}

export function createReviewService({ config, db, client, starts: given }: ReviewServiceDeps) {
  const own = modelConfigFrom(config);
  const ownVersion = modelConfigVersion(own);
  const { query, finishesWithin } = workflowCalls(client);
  const starts = given ?? reviewStarts({ config, db, client });

  /**
   * Which model-config version serves this review: production, or the candidate in the update
   * gate for the share of reviews its traffic weight allows. The bucket comes from the request
   * alone (not the version), so a given change always lands on the same side.
   */
  type Route = {
    version: string;
    primaryChain: ProviderName[];
    verifierChain: ProviderName[];
    models?: ModelOverrides;
    consensusPolicy?: Partial<ConsensusPolicy>;
  };
  const ownRoute: Route = {
    version: ownVersion,
    primaryChain: config.models.primaryChain,
    verifierChain: config.models.verifierChain,
  };
  function routeOf(version: string, mc: ModelConfig): Route {
    if (version === ownVersion) return ownRoute;
    return {
      version,
      primaryChain: z.array(ProviderName).min(1).parse(mc.primaryChain),
      verifierChain: z.array(ProviderName).min(1).parse(mc.verifierChain),
      models: {
        anthropicModel: mc.anthropicModel,
        openaiModel: mc.openaiModel,
        temperature: mc.temperature,
      },
      ...(mc.consensusPolicy ? { consensusPolicy: mc.consensusPolicy } : {}),
    };
  }

  /**
   * Which model-config version serves this review: production, or the candidate in the update
   * gate for the share of reviews its traffic weight allows. The bucket comes from the request
   * alone (not the version), so a given change always lands on the same side. A review served by
   * the candidate is also reviewed by the baseline in the shadow, so the canary can measure how
   * often the two agree.
   */
  async function routeReview(req: ReviewRequest): Promise<{ served: Route; shadow?: Route }> {
    const routing = await currentRouting(db);
    const pick = pickModelConfig(routing, reviewIdFor(req, 'routing'));
    if (!pick) return { served: ownRoute };
    const served = routeOf(pick.version, pick.modelConfig);
    if (pick.route === 'candidate' && routing.baseline) {
      return { served, shadow: routeOf(routing.baseline.version, routing.baseline.modelConfig) };
    }
    return { served };
  }

  async function view(id: string): Promise<ReviewView | null> {
    const stored = await getReview(db, id);
    if (!stored) return null;
    if (stored.status === 'queued' || stored.status === 'running') {
      return toView(stored, { progress: await query<ReviewProgress>(id, REVIEW_STATUS_QUERY) });
    }
    if (stored.status === 'needs_manual_review') {
      const state = await query<ConsensusState>(`${id}-consensus`, CONSENSUS_STATE_QUERY);
      const pending: Finding[] = state
        ? state.findings.filter((f) => state.pending.includes(f.id))
        : stored.findings.filter(needsDecision);
      return toView(stored, { pending });
    }
    return toView(stored);
  }

  async function submit(req: ReviewRequest, waitSeconds: number): Promise<Submission> {
    checkText(req);
    const { served, shadow } = await routeReview(req);
    const prepared = prepare(req, config);
    if (shadow) await start(req, shadow, prepared);
    const started = await start(req, served, prepared);
    if (started.done) return started;
    const { id } = started;
    if (waitSeconds > 0) {
      const handle = await started.handle.catch(() => undefined);
      const waitMs = Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000;
      if (handle && (await finishesWithin(handle, waitMs))) {
        const review = await mustView(id);
        if (review.status === 'completed' || review.status === 'failed')
          return { done: true, review };
      }
    } else {
      // The review is stored: answer once its workflow has started, or after START_BUDGET_MS
      // if Temporal is slower than that (the start goes on, and the sweeper backs it up).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        started.handle.catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, START_BUDGET_MS))),
      ]);
      clearTimeout(timer);
    }
    return { done: false, id, status: (await reviewStatus(db, id)) ?? 'queued' };
  }

  /**
   * Stores the review of `req` under one route (row, redacted chunks and the workflow's input, in
   * one transaction), then starts or joins its workflow. The start is not awaited here: `handle`
   * settles when it has happened; a start that fails is the sweeper's (api/reviewStarts.ts).
   */
  async function start(
    req: ReviewRequest,
    route: Route,
    prepared: ReturnType<typeof prepare>,
  ): Promise<
    | { done: true; review: ReviewView }
    | { done: false; id: string; handle: Promise<WorkflowHandle> }
  > {
    const version = route.version;
    const id = reviewIdFor(req, version);
    if ((await reviewStatus(db, id)) === 'completed') {
      return { done: true, review: await mustView(id) };
    }

    const request: ReviewRequest = {
      ...req,
      diff: prepared.redactedDiff,
      title: redactLines(req.title),
      description: redactLines(req.description),
    };
    const base = {
      id,
      request,
      modelConfigVersion: version,
      coverage: prepared.coverage,
      redactions: prepared.redactions,
      stats: prepared.stats,
      error: null,
      findings: [],
    };

    if (prepared.chunks.length === 0) {
      // Everything was skipped by rule (binary, lockfile, generated…): there is nothing for a
      // model to read, and the coverage record already says why.
      await saveReview(db, {
        ...base,
        status: 'completed',
        verdict: 'approve',
        summary: summarise([]),
        timings: { durationMs: 0 },
      });
      return { done: true, review: await mustView(id) };
    }

    const input: ReviewWorkflowInput = {
      reviewId: id,
      modelConfigVersion: version,
      chunkCount: prepared.chunks.length,
      repository: req.repository,
      primaryChain: route.primaryChain,
      verifierChain: route.verifierChain,
      ...(route.models ? { models: route.models } : {}),
      ...(route.consensusPolicy ? { consensusPolicy: route.consensusPolicy } : {}),
      manualReviewTimeoutMs: config.models.manualReviewTimeoutMs,
      severityThreshold: req.severityThreshold,
      dimensions: req.dimensions,
    };
    // A queued or running review is joined, never re-queued: rewriting its row would undo
    // progress. Row and chunks commit together, so a stored review always has its input.
    await withTransaction(db, async (tx) => {
      if (await queueReview(tx, { ...base, workflowInput: input })) {
        await saveReviewInput(
          tx,
          id,
          {
            title: request.title,
            description: request.description,
            dimensions: req.dimensions,
            languageHints: req.languageHints,
          },
          prepared.chunks,
        );
      }
    });
    // The store check above lets a closed run start again only after a failure.
    const handle = starts.start(input);
    handle.catch(() => undefined); // settled by whoever awaits it; the sweeper retries
    return { done: false, id, handle };
  }

  async function mustView(id: string): Promise<ReviewView> {
    const v = await view(id);
    if (!v) throw new Error(`review ${id} vanished from the store`);
    return v;
  }

  return { submit, view, modelConfigVersion: ownVersion };
}

export type ReviewService = ReturnType<typeof createReviewService>;
