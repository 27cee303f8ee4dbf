import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseConfig, taskQueues } from '../../../domain/config';
import { migrateUp } from '../../../store/migrate';
import { connectClient, type TemporalClientHandle } from '../../../workers/connection';
import { verifyAuditChainWorkflow } from '../../../workflows/auditVerification';

// The child bundles the workflows itself; that takes a while on a shared 2-core machine.
jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..', '..', '..');

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest globalSetup`);
  return value;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** `npm run worker` without npm: the same tsx entry point, with exactly the env we give it. */
function runWorkerCli(args: string[], extraEnv: Record<string, string>): Run {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const name of ['TEMPORAL_ADDRESS', 'DATABASE_URL']) {
    if (!(name in extraEnv)) delete childEnv[name];
  }
  const child = spawn(
    process.execPath,
    [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'cli/worker.ts', ...args],
    { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

async function waitForOutput(run: Run, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null) throw new Error(`worker exited early:\n${run.output()}`);
    if (Date.now() > deadline)
      throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run worker', () => {
  it('refuses to start without TEMPORAL_ADDRESS and DATABASE_URL and points at npm start', async () => {
    const run = runWorkerCli([], {});
    expect(await run.exit).toBe(2);
    expect(run.output()).toMatch(/TEMPORAL_ADDRESS and DATABASE_URL must be set/);
    expect(run.output()).toMatch(/npm start/);
  });

  it('rejects an unknown queue name', async () => {
    const run = runWorkerCli(['--queues', 'review,nightly'], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://127.0.0.1:1/x',
    });
    expect(await run.exit).toBe(2);
    expect(run.output()).toMatch(/unknown queue\(s\): nightly/);
  });

  describe('against the test Temporal server and database', () => {
    let temporal: TemporalClientHandle;
    const prefix = `test-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      await migrateUp(env('QUORUM_TEST_DATABASE_URL'));
      temporal = await connectClient(
        parseConfig({ TEMPORAL_ADDRESS: env('QUORUM_TEST_TEMPORAL_ADDRESS') }),
      );
    });
    afterAll(async () => {
      await temporal?.close();
    });

    it('serves the chosen queues until SIGTERM, then drains and exits 0', async () => {
      const run = runWorkerCli(['--queues', 'release'], {
        TEMPORAL_ADDRESS: env('QUORUM_TEST_TEMPORAL_ADDRESS'),
        DATABASE_URL: env('QUORUM_TEST_DATABASE_URL'),
        QUORUM_TASK_QUEUE_PREFIX: prefix,
        QUORUM_WORKER_METRICS_PORT: '0',
        LOG_LEVEL: 'info',
      });
      try {
        await waitForOutput(run, /workers running/, 90_000);
        const outcome = await temporal.client.workflow.execute(verifyAuditChainWorkflow, {
          taskQueue: taskQueues(prefix).release,
          workflowId: `audit-verify-cli-${randomUUID()}`,
          args: [{ batchSize: 5000 }],
        });
        expect(outcome.ok).toBe(true);
        run.child.kill('SIGTERM');
        expect(await run.exit).toBe(0);
        expect(run.output()).toMatch(/draining workers/);
        expect(run.output()).toMatch(/workers drained/);
      } finally {
        if (run.child.exitCode === null) run.child.kill('SIGKILL');
      }
    });
  });
});
