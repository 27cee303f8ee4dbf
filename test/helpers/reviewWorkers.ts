import { createWorkers, runWorkers, type CreateWorkersOptions } from '../../workers/worker';

/** Real review and models workers for a test; the returned stop resolves once they have stopped. */
export async function runReviewWorkers(
  opts: Omit<CreateWorkersOptions, 'queues'>,
): Promise<() => Promise<void>> {
  const workers = await createWorkers({ ...opts, queues: ['review', 'models'] });
  const abort = new AbortController();
  const running = runWorkers(workers, abort.signal);
  return async () => {
    abort.abort();
    await running;
  };
}
