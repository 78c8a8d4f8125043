// Start-up budget of issue 5: each command of the built binary against bare `node -e 0`, run interleaved as
// separate processes on this machine, compared by median; the shell hook timed inside bash and zsh.
// Not a test: timings depend on the machine and its load. Exits 1 when a row misses its budget or fails.
//
//   npm run bench                          (builds first)
//   AWS2FA_BENCH_RUNS=31 npm run bench     (more runs per row; at least 15)
//   npm run bench -- --clean-env           (children get only PATH, HOME and LANG)
//
// By default the measured processes, `node -e 0` included, inherit this environment (less AWS_*, AWS2FA_* and
// XDG_CACHE_HOME), as a user's shell would give them: a variable such as NODE_EXTRA_CA_CERTS slows every Node
// start alike, which moves the ratios, so the header names the ones that are set.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeAws } from '../test/helpers/aws-endpoint.js';
import { finished } from '../test/helpers/child.js';
import { ALICE } from '../test/helpers/home.js';
import { STANDARD_CONFIG, STANDARD_CREDENTIALS } from '../test/helpers/world.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BINARY = join(ROOT, 'dist', 'aws2fa.cjs');
const HOOK = join(ROOT, 'shell', 'aws2fa.sh');
const RUNS = Math.max(15, Number(process.env.AWS2FA_BENCH_RUNS) || 21);
const WARMUP = 3;
const SHELL_CALLS = 1000;
const SHELL_REPEATS = 5;

interface ProcessRow {
  label: string;
  argv: string[]; // after `node`
  budget: number; // ratio to `node -e 0`
  stretch?: number;
  needs?: string; // text that `aws2fa --help` lists once the command exists
  before?: () => void; // untimed, before every run
  check?: (stdout: string) => boolean;
  env?: Record<string, string>; // beside the common environment
}

interface Outcome {
  label: string;
  value: string;
  over?: string; // ms over `node -e 0`
  ratio: string;
  budget: string;
  verdict: 'ok' | 'MISSED' | 'FAILED' | 'not available yet' | 'skipped';
  note?: string;
}

const home = mkdtempSync(join(tmpdir(), 'aws2fa-bench-'));
const aws = join(home, '.aws');
mkdirSync(aws, { mode: 0o700 });
const credentials = join(aws, 'credentials');
const resetFiles = () => {
  writeFileSync(credentials, STANDARD_CREDENTIALS, { mode: 0o600 });
  writeFileSync(join(aws, 'config'), STANDARD_CONFIG, { mode: 0o600 });
};
resetFiles();

const fake = await startFakeAws();
fake.addUser({ ...ALICE });
const CLEAN = process.argv.includes('--clean-env');
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(AWS_|AWS2FA_|XDG_CACHE_HOME$)/.test(name)),
) as Record<string, string>;
const env = {
  ...(CLEAN ? { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } : inherited),
  HOME: home,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL: fake.url,
};
const NODE_VARIABLES = Object.keys(env).filter((name) => name.startsWith('NODE_') || name === 'UV_THREADPOOL_SIZE');

const BASELINE: ProcessRow = { label: 'node -e 0', argv: ['-e', '0'], budget: 1 };
const ROWS: ProcessRow[] = [
  { label: 'aws2fa --version', argv: [BINARY, '--version'], budget: 1.25, check: (out) => /^\d+\.\d+\.\d+/.test(out) },
  { label: 'aws2fa --help', argv: [BINARY, '--help'], budget: 1.25, check: (out) => out.includes('aws2fa') },
  { label: 'aws2fa init bash', argv: [BINARY, 'init', 'bash'], budget: 1.25, needs: 'aws2fa init', check: (out) => out.includes('aws2fa_prompt') },
  { label: 'aws2fa status', argv: [BINARY, 'status'], budget: 1.35, check: (out) => out.includes('prod') },
  {
    label: 'aws2fa env login (STS)',
    argv: [BINARY, 'env', 'login', 'prod', ALICE.code, '--shell', 'bash'],
    budget: 2.0,
    stretch: 1.4,
    needs: 'aws2fa env login',
    check: (out) => out.includes('AWS_SESSION_TOKEN'),
  },
  { label: 'aws2fa login (STS)', argv: [BINARY, 'login', 'prod', ALICE.code], budget: 2.0, before: resetFiles, check: (out) => out.includes('prod') },
];
// Node 22.1 and later have a compile cache of their own: the rows of the full CLI are measured once more with it
// (src/boot/code-cache.ts, AWS2FA_CODE_CACHE=node), beside V8's code cache through vm.Script, which aws2fa uses.
const NODE_COMPILE_CACHE = typeof (await import('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';
if (NODE_COMPILE_CACHE) {
  for (const row of ROWS.filter((each) => !/--version|--help|init/.test(each.label))) {
    ROWS.push({ ...row, label: `${row.label}, Node's compile cache`, env: { AWS2FA_CODE_CACHE: 'node' } });
    row.label = `${row.label}, vm.Script cache`;
  }
}

interface Run {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: the fake endpoint answers from this process's event loop.
async function timeOnce(argv: string[], extra: Record<string, string> = {}): Promise<Run> {
  const started = process.hrtime.bigint();
  const { status, stdout, stderr } = await finished(spawn(process.execPath, argv, { env: { ...env, ...extra }, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] }));
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status, stdout, stderr };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function benchProcesses(): Promise<Outcome[]> {
  const help = await timeOnce([BINARY, '--help']);
  const outcomes = new Map<ProcessRow, Outcome>();
  const active = ROWS.filter((row) => {
    if (row.needs && !help.stdout.includes(row.needs)) {
      outcomes.set(row, { label: row.label, value: '', ratio: '', budget: `≤ ${row.budget}×`, verdict: 'not available yet' });
      return false;
    }
    return true;
  });
  const times = new Map<ProcessRow, number[]>([BASELINE, ...active].map((row) => [row, []]));
  for (let round = 0; round < WARMUP + RUNS; round++) {
    process.stderr.write(`\rround ${round + 1}/${WARMUP + RUNS}`);
    for (const row of [BASELINE, ...active]) {
      if (!times.has(row)) continue; // failed earlier
      row.before?.();
      const run = await timeOnce(row.argv, row.env);
      if (run.status !== 0 || (row.check && !row.check(run.stdout))) {
        const why = `exit ${run.status}: ${(run.stderr || run.stdout).trim().split('\n')[0]}`;
        outcomes.set(row, { label: row.label, value: '', ratio: '', budget: `≤ ${row.budget}×`, verdict: 'FAILED', note: why });
        times.delete(row);
        continue;
      }
      if (round >= WARMUP) times.get(row)!.push(run.ms);
    }
  }
  process.stderr.write('\n');
  const base = median(times.get(BASELINE)!);
  const rows: Outcome[] = [{ label: BASELINE.label, value: `${base.toFixed(1)} ms`, ratio: '1.00×', budget: '', verdict: 'ok' }];
  for (const row of ROWS) {
    const ms = times.get(row);
    if (!ms) {
      rows.push(outcomes.get(row)!);
      continue;
    }
    const ratio = median(ms) / base;
    const note = row.stretch ? `stretch ≤ ${row.stretch}×: ${ratio <= row.stretch ? 'met' : 'not met'}` : undefined;
    rows.push({
      label: row.label,
      value: `${median(ms).toFixed(1)} ms`,
      over: `+${(median(ms) - base).toFixed(1)} ms`,
      ratio: `${ratio.toFixed(2)}×`,
      budget: `≤ ${row.budget}×`,
      verdict: ratio <= row.budget ? 'ok' : 'MISSED',
      ...(note ? { note } : {}),
    });
  }
  return rows;
}

// 1,000 sources of the hook, then 1,000 prompt calls, timed by the shell's own clock. PATH leads nowhere, so an
// external command would fail loudly; `times` shows the CPU time of child processes, which must stay zero.
function shellScript(shell: 'bash' | 'zsh'): string {
  return [
    shell === 'zsh' ? 'zmodload zsh/datetime' : '',
    `hook=${JSON.stringify(HOOK)}`,
    'source "$hook"',
    'AWS2FA_PROFILE=prod',
    'AWS2FA_EXPIRES=$(( ${EPOCHREALTIME%.*} + 7200 ))',
    'aws2fa_prompt; echo', // the sample, printed without a subshell
    'PATH=/nonexistent',
    't0=$EPOCHREALTIME',
    `for (( i = 0; i < ${SHELL_CALLS}; i++ )); do source "$hook"; done`,
    't1=$EPOCHREALTIME',
    `for (( i = 0; i < ${SHELL_CALLS}; i++ )); do aws2fa_prompt; done >/dev/null`,
    't2=$EPOCHREALTIME',
    'echo "$t0 $t1 $t2"',
    'times',
  ].join('\n');
}

function shellPath(shell: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

function benchShell(shell: 'bash' | 'zsh'): Outcome[] {
  const sourceRow = `source shell/aws2fa.sh (${shell})`;
  const promptRow = `aws2fa_prompt (${shell})`;
  const missing = (verdict: Outcome['verdict'], note: string): Outcome[] =>
    [sourceRow, promptRow].map((label) => ({ label, value: '', ratio: '', budget: '', verdict, note }));
  if (!existsSync(HOOK)) return missing('not available yet', 'shell/aws2fa.sh does not exist');
  const path = shellPath(shell);
  if (!path) return missing('skipped', `${shell} is not installed`);
  const sources: number[] = [];
  const prompts: number[] = [];
  for (let repeat = 0; repeat < SHELL_REPEATS; repeat++) {
    const args = shell === 'zsh' ? ['-f', '-c', shellScript(shell)] : ['--norc', '--noprofile', '-c', shellScript(shell)];
    const run = spawnSync(path, args, { encoding: 'utf8', env: { HOME: home, LANG: 'C.UTF-8', PATH: '/usr/bin:/bin' } });
    const [sample = '', stamps = '', , children = ''] = run.stdout.split('\n');
    const [t0, t1, t2] = stamps.split(' ').map(Number);
    const failure =
      run.status !== 0 || run.stderr.trim() !== ''
        ? `exit ${run.status}: ${run.stderr.trim().split('\n')[0]}`
        : !/^prod \d+h\d\dm$/.test(sample)
          ? `the prompt printed ${JSON.stringify(sample)}`
          : /[1-9]/.test(children)
            ? `child processes ran (times: ${children.trim()})`
            : t0 === undefined || t1 === undefined || t2 === undefined || Number.isNaN(t2)
              ? `no timestamps in ${JSON.stringify(stamps)}`
              : null;
    if (failure) return [sourceRow, promptRow].map((label) => ({ label, value: '', ratio: '', budget: '', verdict: 'FAILED', note: failure }));
    sources.push(((t1! - t0!) / SHELL_CALLS) * 1e6);
    prompts.push(((t2! - t1!) / SHELL_CALLS) * 1e6);
  }
  const source = median(sources);
  const prompt = median(prompts);
  return [
    { label: sourceRow, value: `${(source / 1000).toFixed(2)} ms`, ratio: '', budget: '≤ 5 ms', verdict: source <= 5000 ? 'ok' : 'MISSED', note: 'no process' },
    { label: promptRow, value: `${prompt.toFixed(1)} µs`, ratio: '', budget: '≤ 100 µs', verdict: prompt <= 100 ? 'ok' : 'MISSED', note: 'no process' },
  ];
}

function table(rows: Outcome[]): string {
  const head = ['', 'median', 'over node -e 0', 'ratio', 'budget', 'result'];
  const cells = rows.map((row) => [row.label, row.value, row.over ?? '', row.ratio, row.budget, row.note ? `${row.verdict} (${row.note})` : row.verdict]);
  const lines = [head, head.map(() => '---'), ...cells].map((cells) => `| ${cells.join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

let rows: Outcome[];
try {
  rows = [...(await benchProcesses()), ...benchShell('bash'), ...benchShell('zsh')];
} finally {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
}
const environment = CLEAN ? 'clean environment (PATH, HOME, LANG)' : `inherited environment${NODE_VARIABLES.length ? ` with ${NODE_VARIABLES.join(', ')}` : ''}`;
process.stdout.write(`node ${process.version}, ${environment}; ${RUNS} runs per row after ${WARMUP} warm-up rounds, medians\n\n${table(rows)}`);
const bad = rows.filter((row) => row.verdict === 'MISSED' || row.verdict === 'FAILED');
if (bad.length > 0) {
  process.stdout.write(`\n${bad.length} row(s) missed the budget or failed: ${bad.map((row) => row.label).join(', ')}\n`);
  process.exitCode = 1;
}
