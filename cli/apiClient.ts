/** What the command-line tools share when they talk to a running Quorum API. */

/** Exit code every CLI uses when no API answered, the key was refused or the API failed. */
export const EXIT_UNREACHABLE = 3;

/** Thrown with the exit code and what to tell the user; `main` turns it into stderr + code. */
export class Stop extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  url: string;
  apiKey: string | undefined;
}

export interface ApiAnswer {
  status: number;
  json: unknown;
}

/**
 * One JSON call. A network failure becomes a `Stop` with EXIT_UNREACHABLE whose message
 * names the URL and the cause, followed by `startHint` (each tool says how to start a stack
 * in its own words). A body that is not JSON reads as `undefined`, so callers judge by status.
 */
export async function request(
  api: Api,
  startHint: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  let res: Response;
  try {
    res = await fetch(api.url.replace(/\/+$/, '') + path, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(api.apiKey ? { authorization: `Bearer ${api.apiKey}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Stop(
      EXIT_UNREACHABLE,
      `No Quorum API answered at ${api.url} (${cause}).${startHint}`,
    );
  }
  const text = await res.text();
  try {
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  } catch {
    return { status: res.status, json: undefined };
  }
}

/** The API's `{ error: { message, details } }` body, when there is one. */
export function apiError(json: unknown): { message?: string; details?: unknown } | undefined {
  return (json as { error?: { message?: string; details?: unknown } } | undefined)?.error;
}

/** Runs a CLI's `main` as the process entry point; a crash is reported as unreachable. */
export function runAsScript(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_UNREACHABLE;
    },
  );
}
