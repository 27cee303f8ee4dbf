import fc from 'fast-check';
import {
  admit,
  combineWaits,
  DEFAULT_BREAKER_POLICY,
  initialBreaker,
  outcomeOf,
  record,
  windowStats,
  type BreakerPolicy,
  type BreakerSnapshot,
  type CallOutcome,
} from '../../../domain/breaker';
import { parseConfig } from '../../../domain/config';

const policy: BreakerPolicy = {
  ...DEFAULT_BREAKER_POLICY,
  windowMs: 10_000,
  minCalls: 4,
  failureRatio: 0.5,
  consecutiveFailures: 3,
  cooldownMs: 5_000,
  maxCooldownMs: 60_000,
  halfOpenProbes: 2,
  probeLeaseMs: 20_000,
};
const T0 = 1_700_000_000_000;
const fail = (reason = 'ProviderUnavailable: 500'): CallOutcome => ({ kind: 'failure', reason });
const ok: CallOutcome = { kind: 'success' };

function run(
  outcomes: [number, CallOutcome][],
  start: BreakerSnapshot = initialBreaker(),
): BreakerSnapshot {
  return outcomes.reduce((s, [at, o]) => record(s, o, at, policy, false).snapshot, start);
}

function opened(at = T0, retryAfterMs?: number): BreakerSnapshot {
  const s = run([
    [at, fail()],
    [at, fail()],
  ]);
  const last = record(s, { kind: 'failure', reason: 'x', retryAfterMs }, at, policy, false);
  expect(last.snapshot.state).toBe('open');
  return last.snapshot;
}

describe('closed', () => {
  it('lets every call through', () => {
    expect(admit(initialBreaker(), T0, policy).admission).toEqual({ allowed: true, probe: false });
  });

  it('opens after the configured number of consecutive failures', () => {
    const s = run([
      [T0, fail()],
      [T0 + 1, fail()],
    ]);
    expect(s.state).toBe('closed');
    const r = record(s, fail('ProviderUnavailable: 503'), T0 + 2, policy, false);
    expect(r.snapshot.state).toBe('open');
    expect(r.transition).toMatchObject({ from: 'closed', to: 'open', generation: 1, at: T0 + 2 });
    expect(r.transition?.reason).toMatch(/^3 consecutive failures, last: .*503/);
    expect(r.snapshot.halfOpenAt).toBe(T0 + 2 + policy.cooldownMs);
  });

  it('a success resets the run of failures', () => {
    // 3 failures over 7 calls stays under the ratio; only the run of failures is in question
    const s = run([
      [T0, fail()],
      [T0, fail()],
      [T0, ok],
      [T0, ok],
      [T0, ok],
      [T0, ok],
      [T0, fail()],
    ]);
    expect(s.state).toBe('closed');
    expect(s.consecutiveFailures).toBe(1);
  });

  it('opens when the failure ratio over the window reaches the threshold with enough calls', () => {
    // f s f s f → ratio 0.6 over 5 calls, never 3 in a row
    const s = run([
      [T0, fail()],
      [T0 + 1, ok],
      [T0 + 2, fail()],
      [T0 + 3, ok],
    ]);
    expect(s.state).toBe('closed');
    const r = record(s, fail(), T0 + 4, policy, false);
    expect(r.snapshot.state).toBe('open');
    expect(r.transition?.reason).toMatch(/^failure ratio 0\.60 over 5 calls in 10 s/);
  });

  it('does not open by ratio below the minimum number of calls', () => {
    const s = run([
      [T0, fail()],
      [T0, ok],
      [T0, fail()],
    ]);
    expect(s.state).toBe('closed');
    expect(windowStats(s, T0, policy)).toEqual({ calls: 3, failures: 2, failureRatio: 2 / 3 });
  });

  it('forgets calls that slid out of the window', () => {
    const s = run([
      [T0, fail()],
      [T0, ok],
      [T0, fail()],
      [T0 + 1, ok],
    ]);
    // a window later, the old failures no longer count: 1 failure over 1 call is below minCalls
    const later = record(s, fail(), T0 + policy.windowMs + 1_000, policy, false);
    expect(later.snapshot.state).toBe('closed');
    expect(windowStats(later.snapshot, T0 + policy.windowMs + 1_000, policy).calls).toBe(1);
  });

  it('ignores our own bad requests', () => {
    let s = initialBreaker();
    for (let i = 0; i < 10; i += 1) s = record(s, { kind: 'neutral' }, T0, policy, false).snapshot;
    expect(s).toEqual(initialBreaker());
  });

  it('keeps the window bounded to a fixed number of buckets', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 300 }), (times) => {
        const sorted = [...times].sort((a, b) => a - b);
        const s = run(sorted.map((t, i) => [T0 + t, i % 7 === 0 ? fail() : ok]));
        expect(s.buckets.length).toBeLessThanOrEqual(11);
      }),
      { numRuns: 100 },
    );
  });
});

describe('open', () => {
  it('refuses calls until the cooldown ends, naming when', () => {
    const s = opened();
    const r = admit(s, T0 + policy.cooldownMs - 1, policy);
    expect(r.admission).toEqual({
      allowed: false,
      state: 'open',
      retryAt: T0 + policy.cooldownMs,
    });
    expect(r.transition).toBeUndefined();
  });

  it('honours a retry-after longer than the cooldown, capped by the maximum', () => {
    expect(opened(T0, 20_000).halfOpenAt).toBe(T0 + 20_000);
    expect(opened(T0, 1_000).halfOpenAt).toBe(T0 + policy.cooldownMs);
    expect(opened(T0, 3_600_000).halfOpenAt).toBe(T0 + policy.maxCooldownMs);
  });

  it('goes half-open after the cooldown and lets the asking call through as a probe', () => {
    const r = admit(opened(), T0 + policy.cooldownMs, policy);
    expect(r.admission).toEqual({ allowed: true, probe: true });
    expect(r.snapshot.state).toBe('half_open');
    expect(r.transition).toMatchObject({ from: 'open', to: 'half_open', generation: 2 });
  });

  it('counts late results without moving', () => {
    const r = record(opened(), ok, T0 + 1, policy, false);
    expect(r.snapshot.state).toBe('open');
    expect(r.transition).toBeUndefined();
  });
});

describe('half-open', () => {
  const halfOpen = () => admit(opened(), T0 + policy.cooldownMs, policy).snapshot;
  const at = T0 + policy.cooldownMs;

  it('allows only the configured number of probes at once', () => {
    const first = halfOpen();
    const second = admit(first, at + 1, policy);
    expect(second.admission).toEqual({ allowed: true, probe: true });
    const third = admit(second.snapshot, at + 2, policy);
    expect(third.admission).toMatchObject({ allowed: false, state: 'half_open' });
    if (third.admission.allowed) throw new Error('unreachable');
    expect(third.admission.retryAt).toBe(at + 2 + policy.cooldownMs);
  });

  it('closes on a probe that succeeds, with a fresh window', () => {
    const r = record(halfOpen(), ok, at + 100, policy, true);
    expect(r.snapshot.state).toBe('closed');
    expect(r.transition).toMatchObject({ from: 'half_open', to: 'closed', generation: 3 });
    expect(r.snapshot.buckets).toEqual([]);
    expect(r.snapshot.consecutiveFailures).toBe(0);
  });

  it('opens again on a probe that fails, for another cooldown', () => {
    const r = record(halfOpen(), fail('ProviderUnavailable: timed out'), at + 100, policy, true);
    expect(r.snapshot.state).toBe('open');
    expect(r.transition?.reason).toMatch(/^probe failed: .*timed out/);
    expect(r.snapshot.halfOpenAt).toBe(at + 100 + policy.cooldownMs);
  });

  it('frees the slot of a probe whose worker never reported back once its lease ends', () => {
    const full = admit(halfOpen(), at, policy).snapshot;
    expect(admit(full, at + 1, policy).admission.allowed).toBe(false);
    expect(admit(full, at + policy.probeLeaseMs + 1, policy).admission).toEqual({
      allowed: true,
      probe: true,
    });
  });

  it('frees a probe slot on a bad request without deciding anything', () => {
    const full = admit(halfOpen(), at, policy).snapshot;
    const r = record(full, { kind: 'neutral' }, at + 1, policy, true);
    expect(r.snapshot.state).toBe('half_open');
    expect(r.transition).toBeUndefined();
    expect(admit(r.snapshot, at + 2, policy).admission).toEqual({ allowed: true, probe: true });
  });
});

describe('what counts as a failure', () => {
  it('counts outages, timeouts, rate limits and auth failures but not our bad requests', () => {
    expect(outcomeOf(null)).toEqual({ kind: 'success' });
    expect(outcomeOf({ type: 'BadRequest', message: '400' })).toEqual({ kind: 'neutral' });
    expect(outcomeOf({ type: 'SchemaInvalid', message: 'x' })).toEqual({ kind: 'neutral' });
    expect(
      outcomeOf({ type: 'ProviderUnavailable', message: 'openai: request timed out' }),
    ).toMatchObject({ kind: 'failure', reason: 'ProviderUnavailable: openai: request timed out' });
    expect(outcomeOf({ type: 'AuthFailed', message: '401' }).kind).toBe('failure');
    expect(outcomeOf({ type: 'RateLimited', message: '429', retryAfterSeconds: 40 })).toEqual({
      kind: 'failure',
      reason: 'RateLimited: 429',
      retryAfterMs: 40_000,
    });
  });
});

describe('a review waiting on several calls', () => {
  it('reports the soonest retry and every provider waited for', () => {
    expect(combineWaits([])).toBeUndefined();
    expect(
      combineWaits([
        { until: '2026-01-01T00:00:30.000Z', providers: ['openai'] },
        { until: '2026-01-01T00:00:10.000Z', providers: ['anthropic', 'openai'] },
      ]),
    ).toEqual({ until: '2026-01-01T00:00:10.000Z', providers: ['anthropic', 'openai'] });
  });
});

describe('configuration', () => {
  it('reads the policy from QUORUM_BREAKER_* settings, with defaults', () => {
    expect(parseConfig({}).breakers).toEqual({ enabled: true, policy: DEFAULT_BREAKER_POLICY });
    const c = parseConfig({
      QUORUM_BREAKER_ENABLED: 'false',
      QUORUM_BREAKER_WINDOW: '2m',
      QUORUM_BREAKER_MIN_CALLS: '20',
      QUORUM_BREAKER_FAILURE_RATIO: '0.25',
      QUORUM_BREAKER_CONSECUTIVE_FAILURES: '4',
      QUORUM_BREAKER_COOLDOWN: '45s',
      QUORUM_BREAKER_HALF_OPEN_PROBES: '3',
      QUORUM_BREAKER_MAX_WAIT: '5m',
    });
    expect(c.breakers).toMatchObject({
      enabled: false,
      policy: {
        windowMs: 120_000,
        minCalls: 20,
        failureRatio: 0.25,
        consecutiveFailures: 4,
        cooldownMs: 45_000,
        halfOpenProbes: 3,
        maxWaitMs: 300_000,
      },
    });
  });

  it('rejects a failure ratio outside (0, 1]', () => {
    expect(() => parseConfig({ QUORUM_BREAKER_FAILURE_RATIO: '1.5' })).toThrow(
      /QUORUM_BREAKER_FAILURE_RATIO/,
    );
  });
});
