import type { Request } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { appendAudit } from '../store/audit';
import { stateOf } from './context';
import { STATE_CHANGING } from './route';
import { withTimeout } from './timeout';

const AUDIT_TIMEOUT_MS = 3_000;

export interface Auditor {
  /** Appends the entry for a finished state-changing request; never throws. */
  record(req: Request, status: number, errorCode?: string): Promise<void>;
}

function outcomeOf(status: number): 'success' | 'failure' | 'denied' {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'success' : 'failure';
}

/**
 * Written before the response is sent, so a client that saw the answer can find the entry.
 * A failed write is logged and counted but does not change the answer: the state change has
 * already happened, and turning it into a 500 would invite a duplicate retry.
 */
export function createAuditor(db: pg.Pool, logger: Logger, failures: Counter<'action'>): Auditor {
  return {
    async record(req, status, errorCode) {
      const state = stateOf(req);
      const route = state.route;
      if (!route || !STATE_CHANGING.has(route.method)) return;
      const action = route.action ?? `${route.method} ${route.path}`;
      const entry = {
        actor: state.principal?.id ?? 'anonymous',
        action,
        resource: state.audit?.resource ?? req.path,
        requestId: state.requestId,
        outcome: outcomeOf(status),
        details: { status, ...(errorCode ? { error: errorCode } : {}), ...state.audit?.details },
      };
      try {
        await withTimeout('audit log', AUDIT_TIMEOUT_MS, appendAudit(db, entry));
      } catch (err) {
        failures.inc({ action });
        logger.error(
          { err, requestId: entry.requestId, action, outcome: entry.outcome },
          'audit entry could not be written',
        );
      }
    },
  };
}
