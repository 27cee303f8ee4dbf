import type { IncomingMessage } from 'node:http';
import type { Principal } from '../domain/auth';
import type { AnyRoute } from './route';

/** What the API learns about a request as it passes the middleware, kept off `res.locals` (untyped). */
export interface RequestState {
  requestId: string;
  /** the registry route that matched, once one did */
  route?: AnyRoute;
  /** set by authentication when a valid key was presented */
  principal?: Principal;
  /** filled by a handler to sharpen its audit entry */
  audit?: { resource?: string; details?: Record<string, unknown> };
}

const states = new WeakMap<IncomingMessage, RequestState>();

export function stateOf(req: IncomingMessage): RequestState {
  let state = states.get(req);
  if (!state) {
    state = { requestId: String(req.id ?? '') };
    states.set(req, state);
  }
  return state;
}
