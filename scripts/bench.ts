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
import { quote as posixQuote } from '../src/shell/posix.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BINARY = join(ROOT, 'dist', 'aws2fa.cjs');
const HOOK = join(ROOT, 'shell', 'aws2fa.sh');
const RUNS = Math.max(15, Number(process.env.AWS2FA_BENCH_RUNS) || 21);
const WARMUP = 3;
const SHELL_CALLS = 1000;
const SHELL_REPEATS = 5;

interface ProcessRow {
  label: string;
  file?: string; // default: node
  argv: string[]; // after `node` (or `file`)
  budget: number; // ratio to `node -e 0` (or to the sum of `against`)
  against?: ProcessRow[]; // the rows whose medians, summed, the ratio is taken to (default: node -e 0)
  reference?: boolean; // measured for another row's ratio: no budget of its own
  held?: () => string; // handed to the binary on fd 3, as the shell hook does (AWS2FA_HOOK=1, AWS2FA_HELD_FD=3)
  actions?: string[]; // exactly these requests reach the endpoint in every run
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
// `rotate` rotates the key of bob, a user of its own, put back before every run (ROTATE_ROW).
const BOB = { accessKeyId: 'AKIABOBEXAMPLEKEY000', secretAccessKey: 'bob/secret+key=EXAMPLE0123456789abcdef', mfaSerial: 'arn:aws:iam::123456789012:mfa/bob', code: ALICE.code, userName: 'bob' };
const resetFiles = () => {
  writeFileSync(credentials, `${STANDARD_CREDENTIALS}\n[rot]\naws_access_key_id = ${BOB.accessKeyId}\naws_secret_access_key = ${BOB.secretAccessKey}\n`, { mode: 0o600 });
  writeFileSync(join(aws, 'config'), `${STANDARD_CONFIG}\n[profile admin]\nrole_arn = ${ADMIN_ROLE}\nsource_profile = prod\n\n[profile rot]\nmfa_serial = ${BOB.mfaSerial}\n`, { mode: 0o600 });
};
// A role of another account that trusts alice's account with MFA: assumed with the held root session.
const ADMIN_ROLE = 'arn:aws:iam::210987654321:role/admin';
resetFiles();

const fake = await startFakeAws();
fake.addUser({ ...ALICE });
fake.addUser({ ...BOB });
const resetBob = () => {
  for (const key of fake.iam.keysOf('bob')) fake.iam.removeKey(key.accessKeyId);
  fake.addUser({ ...BOB });
  resetFiles();
};
fake.addRole({ arn: ADMIN_ROLE, trust: ['123456789012'], requireMfa: true });
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

// What the hook holds after `aws2fa env login prod CODE`: made once, untimed, before the rounds.
let heldValue: string | undefined;
async function heldRootSession(): Promise<string> {
  if (heldValue) return heldValue;
  const run = await timeOnce([BINARY, 'env', 'login', 'prod', ALICE.code, '--shell', 'bash'], { AWS2FA_HOOK: '1' });
  // The assignment may stand inside a `case $- in *a*)` that keeps it unexported under `set -a`.
  const held = /__aws2fa_held='(aws2fa-held-1:[\w-]+)'/.exec(run.stdout)?.[1];
  if (!held) throw new Error(`env login with AWS2FA_HOOK=1 held nothing: exit ${run.status}: ${run.stderr.trim()}`);
  return (heldValue = held);
}

const BASELINE: ProcessRow = { label: 'node -e 0', argv: ['-e', '0'], budget: 1 };
// The hook loaded in a new bash: sourcing the file starts no process; `eval "$(aws2fa init bash)"`, what the README
// puts in ~/.bashrc, starts one. Its budget is against node -e 0 plus bash sourcing the file: about one Node start.
const hookLoaded = (out: string) => out === 'loaded\n';
const loadedCheck = 'type aws2fa_prompt >/dev/null && echo loaded';
const SOURCE_HOOK: ProcessRow = {
  label: 'bash: source shell/aws2fa.sh',
  file: 'bash',
  argv: ['--norc', '--noprofile', '-c', `source ${posixQuote(HOOK)}; ${loadedCheck}`],
  budget: 0,
  reference: true,
  check: hookLoaded,
};
// Plain exec, for the ratio of exec --server to it.
const PLAIN_EXEC: ProcessRow = {
  label: 'aws2fa exec (STS) -- true',
  argv: [BINARY, 'exec', 'prod', ALICE.code, '--', 'true'],
  budget: 0,
  reference: true,
  needs: 'aws2fa exec',
  actions: ['GetSessionToken'],
};
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
  {
    label: 'aws2fa env login ROLE (held root session)',
    argv: [BINARY, 'env', 'login', 'admin', '--shell', 'bash'],
    budget: 2.0,
    stretch: 1.4,
    needs: 'aws2fa env login',
    held: () => heldValue!,
    actions: ['AssumeRole'],
    check: (out) => out.includes('AWS_SESSION_TOKEN') && out.includes(`AWS2FA_ROOT_PROFILE='prod'`),
  },
  { label: 'aws2fa login (STS)', argv: [BINARY, 'login', 'prod', ALICE.code], budget: 2.0, before: resetFiles, check: (out) => out.includes('prod') },
  PLAIN_EXEC,
  {
    // The credential server's part alone: node:http loaded, a private folder made and removed, a port listened on.
    label: 'aws2fa exec --server (STS) -- true',
    argv: [BINARY, 'exec', '--server', 'prod', ALICE.code, '--', 'true'],
    budget: 1.15,
    against: [PLAIN_EXEC],
    needs: '[--server]',
    actions: ['GetSessionToken'],
  },
  {
    // Five requests where login makes one: the IAM client loaded besides the STS one.
    label: 'aws2fa rotate (STS + IAM)',
    argv: [BINARY, 'rotate', 'rot', ALICE.code],
    budget: 3.0,
    needs: 'aws2fa rotate',
    before: resetBob,
    actions: ['GetSessionToken', 'ListAccessKeys', 'CreateAccessKey', 'GetCallerIdentity', 'DeleteAccessKey'],
    check: (out) => out.startsWith(`rotated bob's key`),
  },
  SOURCE_HOOK,
  {
    label: 'bash: eval "$(aws2fa init bash)"',
    file: 'bash',
    argv: ['--norc', '--noprofile', '-c', `eval "$(${posixQuote(process.execPath)} ${posixQuote(BINARY)} init bash)"; ${loadedCheck}`],
    budget: 1.3,
    against: [BASELINE, SOURCE_HOOK],
    needs: 'aws2fa init',
    check: hookLoaded,
  },
];
// Node 22.1 and later have a compile cache of their own: the rows of the full CLI are measured once more with it
// (src/boot/code-cache.ts, AWS2FA_CODE_CACHE=node), beside V8's code cache through vm.Script, which aws2fa uses.
const NODE_COMPILE_CACHE = typeof (await import('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';
if (NODE_COMPILE_CACHE) {
  for (const row of ROWS.filter((each) => !/--version|--help|init|bash:/.test(each.label))) {
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

// Asynchronous on purpose: the fake endpoint answers from this process's event loop. A held value goes on fd 3 as
// a pipe, as the shell hook hands it over.
async function timeOnce(argv: string[], extra: Record<string, string> = {}, held?: string, file = process.execPath): Promise<Run> {
  const hook = held === undefined ? {} : { AWS2FA_HOOK: '1', AWS2FA_HELD_FD: '3' };
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', 'pipe', 'pipe', ...(held === undefined ? [] : ['pipe' as const])];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, { env: { ...env, ...extra, ...hook }, cwd: home, stdio });
  if (held !== undefined) (child.stdio[3] as NodeJS.WritableStream).end(held);
  const { status, stdout, stderr } = await finished(child);
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
  if (active.some((row) => row.held)) await heldRootSession();
  const times = new Map<ProcessRow, number[]>([BASELINE, ...active].map((row) => [row, []]));
  for (let round = 0; round < WARMUP + RUNS; round++) {
    process.stderr.write(`\rround ${round + 1}/${WARMUP + RUNS}`);
    for (const row of [BASELINE, ...active]) {
      if (!times.has(row)) continue; // failed earlier
      row.before?.();
      const sent = fake.requests.length;
      const run = await timeOnce(row.argv, row.env, row.held?.(), row.file);
      const actions = fake.requests.slice(sent).map((request) => request.action);
      const wrongRequests = row.actions && actions.join() !== row.actions.join() ? `requests ${actions.join(', ') || 'none'}, not ${row.actions.join(', ')}` : undefined;
      if (run.status !== 0 || (row.check && !row.check(run.stdout)) || wrongRequests) {
        const why = wrongRequests ?? `exit ${run.status}: ${(run.stderr || run.stdout).trim().split('\n')[0]}`;
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
    const against = row.against?.map((each) => times.get(each));
    if (against?.some((each) => !each)) {
      rows.push({ label: row.label, value: `${median(ms).toFixed(1)} ms`, ratio: '', budget: `≤ ${row.budget}×`, verdict: 'FAILED', note: 'a row it is measured against failed' });
      continue;
    }
    const reference = against ? against.reduce((sum, each) => sum + median(each!), 0) : base;
    const ratio = median(ms) / reference;
    const notes = [
      row.against ? `ratio to ${row.against.map((each) => each.label).join(' + ')}` : undefined,
      row.stretch ? `stretch ≤ ${row.stretch}×: ${ratio <= row.stretch ? 'met' : 'not met'}` : undefined,
      row.reference ? 'reference' : undefined,
    ].filter(Boolean);
    rows.push({
      label: row.label,
      value: `${median(ms).toFixed(1)} ms`,
      over: `${median(ms) >= base ? '+' : ''}${(median(ms) - base).toFixed(1)} ms`,
      ratio: `${ratio.toFixed(2)}×`,
      budget: row.reference ? '' : `≤ ${row.budget}×`,
      verdict: row.reference || ratio <= row.budget ? 'ok' : 'MISSED',
      ...(notes.length ? { note: notes.join('; ') } : {}),
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
