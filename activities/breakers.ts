import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { Gauge, register } from 'prom-client';
import {
  BREAKER_STATE_VALUE,
  CIRCUIT_OPEN,
  outcomeOf,
  type BreakerSnapshot,
  type BreakerTransition,
  type CallOutcome,
  type CircuitOpenDetails,
} from '../domain/breaker';
import type { Config } from '../domain/config';
import type { ProviderName } from '../domain/review';
import { appendAudit } from '../store/audit';
import {
  admitCall,
  breakerId,
  markTransitionAudited,
  recordCalls,
  unauditedTransitions,
  type BreakerId,
} from '../store/breakers';
import type { Db } from '../store/db';
import type { ProviderFailureDetails } from './providers/errors';

export const breakerMetrics = {
  state: new Gauge({
    name: 'quorum_provider_breaker_state',
    help: 'Circuit breaker state per provider as this worker last saw it: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider', 'model', 'endpoint'] as const,
    registers: [register],
  }),
};

/** A call the breaker let through; hand it back to `after` with how the call went. */
export interface BreakerTicket {
  id: BreakerId;
  probe: boolean;
}

/** The breaker of a provider as this process is configured: the local analyzer has none. */
export function breakerFor(config: Config, provider: ProviderName): BreakerId | undefined {
  if (!config.breakers.enabled || provider === 'local') return undefined;
  const vendor = config.models[provider];
  return breakerId(provider, vendor.model, vendor.baseUrl);
}

/** What an error thrown by a provider call says about the vendor's health. */
function failureOf(err: unknown) {
  if (err instanceof ApplicationFailure) {
    const details = err.details?.[0] as ProviderFailureDetails | undefined;
    return {
      type: err.type ?? undefined,
      message: err.message,
      ...(details?.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: details.retryAfterSeconds }
        : {}),
    };
  }
  return { type: undefined, message: err instanceof Error ? err.message : String(err) };
}

/**
 * Appends every breaker transition not yet in the audit log. Keyed by breaker and generation, so
 * two workers flushing at once, or a flush repeated after a crash, append each entry once.
 */
export async function auditBreakerTransitions(db: Db): Promise<number> {
  const pending = await unauditedTransitions(db);
  for (const t of pending) {
    await appendAudit(db, {
      actor: 'system:breaker',
      action: `breaker.${t.to}`,
      resource: `breakers/${t.breakerKey}`,
      outcome: t.to === 'closed' ? 'success' : 'failure',
      details: { from: t.from, to: t.to, reason: t.reason, at: t.at, generation: t.generation },
      idempotencyKey: `breaker:${t.breakerKey}:${t.generation}`,
    });
    await markTransitionAudited(db, t.breakerKey, t.generation);
  }
  return pending.length;
}

/**
 * The breaker around a vendor call: `before` refuses with a non-retryable CircuitOpen failure
 * while the provider's circuit is open, `after` counts the outcome. Breaker bookkeeping never
 * fails a call by itself: if the database hiccups the call goes ahead uncounted, because the
 * vendor being up matters more than our tally of it.
 */
export function createBreakers(deps: { db: Db; config: Config; logger?: Logger }) {
  const { db, config, logger } = deps;
  const policy = config.breakers.policy;

  const show = (id: BreakerId, snapshot: BreakerSnapshot) =>
    breakerMetrics.state.set(
      { provider: id.provider, model: id.model, endpoint: id.endpoint ?? '' },
      BREAKER_STATE_VALUE[snapshot.state],
    );

  async function transitioned(id: BreakerId, t: BreakerTransition): Promise<void> {
    logger?.warn(
      { breaker: id.key, from: t.from, to: t.to, reason: t.reason },
      'circuit breaker moved',
    );
    try {
      await auditBreakerTransitions(db);
    } catch (err) {
      // The transition row stays unaudited and the next transition appends it.
      logger?.error({ err, breaker: id.key }, 'breaker transition not audited yet');
    }
  }

  /**
   * Outcomes waiting to be counted, per breaker. The calls of one worker that finish together
   * are folded into one write instead of racing each other's compare-and-set on the same row:
   * the first outcome starts a write, the ones that arrive meanwhile go in the next.
   */
  interface Pending {
    call: { outcome: CallOutcome; wasProbe: boolean };
    settle: (err?: unknown) => void;
  }
  const queues = new Map<string, { id: BreakerId; items: Pending[] }>();

  async function drain(key: string, q: { id: BreakerId; items: Pending[] }): Promise<void> {
    while (q.items.length > 0) {
      const batch = q.items.splice(0, q.items.length);
      try {
        const change = await recordCalls(
          db,
          q.id,
          batch.map((b) => b.call),
          policy,
        );
        q.items.unshift(...batch.slice(change.consumed));
        show(q.id, change.snapshot);
        if (change.transition) await transitioned(q.id, change.transition);
        for (const b of batch.slice(0, change.consumed)) b.settle();
      } catch (err) {
        for (const b of batch) b.settle(err);
      }
    }
    queues.delete(key);
  }

  function count(id: BreakerId, outcome: CallOutcome, wasProbe: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const item: Pending = {
        call: { outcome, wasProbe },
        settle: (err) => (err === undefined ? resolve() : reject(err)),
      };
      const q = queues.get(id.key);
      if (q) {
        q.items.push(item);
        return;
      }
      const fresh = { id, items: [item] };
      queues.set(id.key, fresh);
      void drain(id.key, fresh);
    });
  }

  return {
    async before(provider: ProviderName): Promise<BreakerTicket | undefined> {
      const id = breakerFor(config, provider);
      if (!id) return undefined;
      let change;
      try {
        change = await admitCall(db, id, policy);
      } catch (err) {
        logger?.warn({ err, breaker: id.key }, 'breaker unreadable; calling without it');
        return undefined;
      }
      show(id, change.snapshot);
      if (change.transition) await transitioned(id, change.transition);
      const admission = change.admission;
      if (admission.allowed) return { id, probe: admission.probe };
      const details: CircuitOpenDetails = {
        provider,
        breaker: id.key,
        state: admission.state,
        retryAt: new Date(admission.retryAt).toISOString(),
        retryInMs: Math.max(0, Math.round(admission.retryAt - change.now)),
        maxWaitMs: policy.maxWaitMs,
      };
      throw ApplicationFailure.create({
        type: CIRCUIT_OPEN,
        nonRetryable: true,
        message: `${id.key} circuit is ${admission.state.replace('_', '-')} until ${details.retryAt}`,
        details: [details],
      });
    },

    /** `error` null: the call succeeded; a cancelled call says nothing about the vendor. */
    async after(
      ticket: BreakerTicket | undefined,
      error: unknown,
      cancelled = false,
    ): Promise<void> {
      if (!ticket) return;
      const outcome: CallOutcome = cancelled
        ? { kind: 'neutral' }
        : outcomeOf(error === null ? null : failureOf(error));
      try {
        await count(ticket.id, outcome, ticket.probe);
      } catch (err) {
        logger?.warn({ err, breaker: ticket.id.key }, 'breaker outcome not recorded');
      }
    },
  };
}

export type Breakers = ReturnType<typeof createBreakers>;
