import { ConfigError, parseConfig, type Config } from '../domain/config';

/** The one place that reads process.env. Exits with a message naming the bad variable. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  try {
    return parseConfig({ ...process.env, ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** The host's PATH, for finding tools such as the Temporal CLI and Python. */
export function hostPath(): string {
  return process.env.PATH ?? '';
}

/** What a child process needs from the host to run node and the tools: PATH and HOME. */
export function hostEnv(): { PATH: string; HOME?: string } {
  const home = process.env.HOME;
  return { PATH: hostPath(), ...(home === undefined ? {} : { HOME: home }) };
}
