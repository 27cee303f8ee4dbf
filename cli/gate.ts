import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { apiError, request, runAsScript, Stop, type Api } from './apiClient';
import { loadConfig } from './config';

/** `npm run gate -- <command> <version>`: a release engineer's view of the update gate. */

export const HELP = `Usage: npm run gate -- <command> [version] [options]

Commands:
  list                         every version with its status, stage and weight
  release <config.json>        register a candidate ({ modelConfig, policy?, notes? }) and start its gate
  status <version>             stage, traffic weight and every check (value vs threshold)
  watch <version>              refresh the status until the stage changes
  promote <version>            end the current bake early (refused while a check fails)
  pause | resume <version>     stop / restart the bake clock
  abort <version>              send all traffic back to the baseline and end the gate
  approve <version>            sign off the move to production

Options:
  --reason <text>    why (recorded in the audit log; required with --force)
  --force            promote despite failing checks
  --interval <s>     watch refresh period (default 5)
  -h, --help         this text

Environment: QUORUM_URL (default http://127.0.0.1:3000), QUORUM_API_KEY (release-engineer role)
Exit codes: 0 done, 1 refused by the gate (409), 2 bad usage, 3 API unreachable or failed
`;

const START_HINT = 'Start a stack with `npm start`, or set QUORUM_URL.';
const BASE = '/api/v2/vc-ai/versions';
const ACTIONS = ['promote', 'pause', 'resume', 'abort', 'approve'] as const;

interface Check {
  name: string;
  value: number | null;
  threshold: number;
  comparator: string;
  passed: boolean;
  detail?: string;
}
interface Detail {
  id: string;
  status: string;
  stage: string | null;
  weight: number;
  gate: {
    paused: boolean;
    awaitingApproval: boolean;
    bakeEndsAt: string | null;
    checks: Check[];
  } | null;
  history: {
    kind: string;
    stage: string | null;
    actor: string | null;
    at: string;
    checks: Check[];
    details: Record<string, unknown>;
  }[];
}

export function formatChecks(checks: Check[]): string[] {
  return checks.map(
    (c) =>
      `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.name.padEnd(26)} ${String(c.value).padStart(10)} ${c.comparator} ${c.threshold}` +
      (c.detail ? `  (${c.detail})` : ''),
  );
}

export function formatStatus(d: Detail): string {
  const lines = [`${d.id}  status ${d.status}  stage ${d.stage ?? '-'}  weight ${d.weight}%`];
  if (d.gate) {
    const flags = [d.gate.paused && 'PAUSED', d.gate.awaitingApproval && 'AWAITING APPROVAL']
      .filter(Boolean)
      .join(' ');
    if (flags) lines.push(`  ${flags}`);
    if (d.gate.bakeEndsAt) lines.push(`  bake ends ${d.gate.bakeEndsAt}`);
  }
  const checks =
    d.gate?.checks ?? [...d.history].reverse().find((e) => e.checks.length > 0)?.checks ?? [];
  lines.push(...formatChecks(checks));
  const actions = d.history.filter((e) => e.kind === 'action');
  for (const a of actions.slice(-5)) {
    lines.push(
      `  ${a.at}  ${String(a.details.action)} by ${a.actor ?? '?'}${a.details.reason ? `: ${String(a.details.reason)}` : ''}`,
    );
  }
  return lines.join('\n');
}

async function detail(api: Api, version: string): Promise<Detail> {
  const res = await request(api, START_HINT, 'GET', `${BASE}/${encodeURIComponent(version)}`);
  if (res.status !== 200) throw new Stop(3, apiError(res.json)?.message ?? `HTTP ${res.status}`);
  return res.json as Detail;
}

export async function main(argv: string[], out = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      reason: { type: 'string' },
      force: { type: 'boolean', default: false },
      interval: { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    out.write(HELP);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  const api: Api = { url: config.cli.url, apiKey: config.cli.apiKey };
  const print = (s: string) => out.write(s + '\n');
  try {
    if (command === 'list') {
      const res = await request(api, START_HINT, 'GET', BASE);
      const { versions } = res.json as { versions: Detail[] };
      for (const v of versions)
        print(`${v.id}  ${v.status.padEnd(12)} ${String(v.stage ?? '-').padEnd(14)} ${v.weight}%`);
      return 0;
    }
    if (!target) {
      out.write(HELP);
      return 2;
    }
    if (command === 'release') {
      const body: unknown = JSON.parse(await readFile(target, 'utf8'));
      const res = await request(api, START_HINT, 'POST', `${BASE}/release`, body);
      if (res.status !== 202) {
        print(`refused (${res.status}): ${apiError(res.json)?.message ?? ''}`);
        return res.status === 409 || res.status === 422 ? 1 : 3;
      }
      print(
        `released ${(res.json as { id: string }).id}; watch it with: npm run gate -- watch <id>`,
      );
      print(JSON.stringify(res.json));
      return 0;
    }
    if (command === 'status') {
      print(formatStatus(await detail(api, target)));
      return 0;
    }
    if (command === 'watch') {
      const first = await detail(api, target);
      print(formatStatus(first));
      const every = Math.max(1, Number(values.interval) || 5) * 1000;
      for (;;) {
        await sleep(every);
        const now = await detail(api, target);
        if (now.stage !== first.stage || now.status !== first.status) {
          print(`\n${formatStatus(now)}`);
          return 0;
        }
        out.write('.');
      }
    }
    if ((ACTIONS as readonly string[]).includes(command)) {
      const body = {
        ...(values.reason ? { reason: values.reason } : {}),
        ...(values.force ? { force: true } : {}),
      };
      const res = await request(
        api,
        START_HINT,
        'POST',
        `${BASE}/${encodeURIComponent(target)}/${command}`,
        body,
      );
      if (res.status === 409) {
        const err = apiError(res.json);
        print(`refused: ${err?.message ?? ''}`);
        const failing = (err?.details as { failingChecks?: Check[] } | undefined)?.failingChecks;
        if (failing) print(formatChecks(failing).join('\n'));
        return 1;
      }
      if (res.status !== 200) {
        print(`failed (${res.status}): ${apiError(res.json)?.message ?? ''}`);
        return res.status === 422 || res.status === 400 ? 2 : 3;
      }
      print(`${command}: ok`);
      print(formatStatus(await detail(api, target)));
      return 0;
    }
    out.write(HELP);
    return 2;
  } catch (err) {
    if (err instanceof Stop) {
      process.stderr.write(`${err.message}\n`);
      return err.code;
    }
    throw err;
  }
}

if (require.main === module) runAsScript((argv) => main(argv));
