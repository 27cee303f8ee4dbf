import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/**
 * Child processes the chaos runner owns. Each is spawned directly (node with the tsx loader, not
 * through npx), so the pid we signal is the process doing the work and a kill -9 leaves no orphan.
 */

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGKILL by pid, then wait for the exit */
  kill9(): Promise<void>;
  /** a signal (SIGTERM by default), then SIGKILL after the grace period */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<Proc>();

/** Last resort when the runner dies on an exception: never leave our children behind. */
process.once('exit', () => {
  for (const p of live) if (p.alive()) p.child.kill('SIGKILL');
});

export function startProc(
  name: string,
  command: string,
  args: string[],
  opts: SpawnOptions & { logFile: string },
): Proc {
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(proc);
      log.end();
      resolve({ code, signal });
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const proc: Proc = {
    name,
    pid,
    child,
    exited,
    alive,
    async kill9() {
      if (alive()) process.kill(pid, 'SIGKILL');
      await exited;
    },
    async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM') {
      if (!alive()) return;
      const timer = setTimeout(() => alive() && process.kill(pid, 'SIGKILL'), graceMs);
      process.kill(pid, signal);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(proc);
  return proc;
}

/** `node --import tsx <script>`: one process, so its pid is the one to signal. */
export function startTsx(
  name: string,
  script: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Proc {
  return startProc(name, process.execPath, ['--import', 'tsx', script, ...args], opts);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it is true or the deadline passes; returns whether it became true. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(everyMs);
  }
  return false;
}
