import { spawn } from 'node:child_process';
import * as nodeModule from 'node:module';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from './helpers/child.js';
import { BINARY, cleanEnv, runBinary, runInProcess, type RunResult } from './helpers/cli.js';
import { makeFakeDocker, pathWith } from './helpers/fake-docker.js';
import { ALICE } from './helpers/home.js';
import { makeWorld, type World } from './helpers/world.js';

// What the published binary is made of, and what each path loads: the start-up budget of issue 5 rests on the
// AWS SDK staying out of the paths that do not call AWS. No timing here: `npm run bench` measures.
const Bundle = suite<{ world: World; trace: string }>('bundle: bin runs the bundle, and the SDK loads only to call AWS');

const ROOT = new URL('../', import.meta.url);

// Every file of the bundle is CommonJS read with readFileSync, by Node (the launcher) or by src/boot/code-cache.ts (the
// CLI, the SDK clients): a preloaded module appends each code file read to $AWS2FA_TEST_LOADED, and at exit the
// Node built-in modules the run loaded beyond its own start (`node:NAME`) and whether it built process.stdin.
function writeTrace(folder: string): string {
  const trace = join(folder, 'trace.cjs');
  writeFileSync(
    trace,
    `const fs = require('node:fs');\n` +
      `const { fileURLToPath } = require('node:url');\n` +
      `const log = (line) => fs.appendFileSync(process.env.AWS2FA_TEST_LOADED, line + '\\n');\n` +
      `const read = fs.readFileSync;\n` +
      `fs.readFileSync = function (path, ...rest) {\n` +
      `  const file = path instanceof URL ? fileURLToPath(path) : String(path);\n` +
      `  if (/\\.(c?js|mjs|ts)$/.test(file)) log(file);\n` +
      `  return read.call(this, path, ...rest);\n` +
      `};\n` +
      `const atStart = new Set(process.moduleLoadList);\n` +
      `const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');\n` +
      `let built = false;\n` +
      `Object.defineProperty(process, 'stdin', { configurable: true, enumerable: stdin.enumerable, get() { built = true; return stdin.get.call(process); } });\n` +
      `process.on('exit', () => {\n` +
      `  for (const entry of process.moduleLoadList) if (!atStart.has(entry) && entry.startsWith('NativeModule ')) log('node:' + entry.slice(13));\n` +
      `  if (built) log('process.stdin');\n` +
      `});\n`,
  );
  return trace;
}

interface Traced extends RunResult {
  loaded: string[]; // code files read, relative to the repository; node:NAME built-ins; process.stdin if built
}

async function runTraced(trace: string, argv: string[], env: Record<string, string | undefined>): Promise<Traced> {
  const log = join(mkdtempSync(join(tmpdir(), 'aws2fa-loaded-')), 'loaded.txt');
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--require', trace, BINARY, ...argv], {
    env: { ...env, AWS2FA_TEST_LOADED: log } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { status, stdout, stderr } = await finished(child);
  const loaded = readFileSync(log, 'utf8')
    .split('\n')
    .filter((file) => file !== '')
    .map((file) => file.replace(fileURLToPath(ROOT), ''));
  rmSync(join(log, '..'), { recursive: true, force: true });
  return { status: status ?? 1, stdout, stderr, loaded };
}

const sdkClients = (loaded: string[]) => loaded.filter((file) => /^dist\/sdk\//.test(file));
const codeFiles = (loaded: string[]) => loaded.filter((file) => file.startsWith('dist/') || file.startsWith('src/') || file.includes('node_modules'));
const isApp = (file: string) => /^dist\/app-\w+\.cjs$/.test(file);

function codeCaches(home: string): string[] {
  try {
    return readdirSync(join(home, '.cache', 'aws2fa', 'code'));
  } catch {
    return [];
  }
}

Bundle.before.each(async (context) => {
  context.world = await makeWorld();
  context.trace = writeTrace(mkdtempSync(join(tmpdir(), 'aws2fa-trace-')));
});
Bundle.after.each(async (context) => {
  await context.world.remove();
  rmSync(join(context.trace, '..'), { recursive: true, force: true });
});

Bundle('package.json bin is the launcher, and the launcher runs the built bundle, no source file', async ({ world, trace }) => {
  const manifest = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { bin: Record<string, string> };
  assert.equal(manifest.bin, { aws2fa: 'dist/aws2fa.cjs' });
  assert.ok(readFileSync(BINARY, 'utf8').startsWith('#!/usr/bin/env node\n'));
  assert.ok((statSync(BINARY).mode & 0o111) !== 0, 'the launcher is executable');
  const run = await runTraced(trace, ['status'], cleanEnv(world.home));
  assert.is(run.status, 0, run.stderr);
  const files = codeFiles(run.loaded);
  assert.is(files.length, 2, files.join(', '));
  assert.is(files[0], 'dist/aws2fa.cjs');
  assert.ok(isApp(files[1]!), files[1]);
});

Bundle('each built file is minified, with its source map beside it', () => {
  const dist = fileURLToPath(new URL('dist/', ROOT));
  const files = [...readdirSync(dist), ...readdirSync(join(dist, 'sdk')).map((name) => `sdk/${name}`)].filter((name) => name.endsWith('.cjs'));
  assert.equal(files.map((name) => name.replace(/-\w+\.cjs$/, '')).sort(), ['app', 'aws2fa.cjs', 'sdk/client-ecr', 'sdk/client-iam', 'sdk/client-sts']);
  for (const name of files) {
    const source = readFileSync(join(dist, name), 'utf8');
    assert.ok(source.trimEnd().endsWith(`//# sourceMappingURL=${name.replace(/^sdk\//, '')}.map`), name);
    assert.ok(source.length / source.split('\n').length > 300, `${name} is minified (long lines; template literals keep their line breaks)`);
    const map = JSON.parse(readFileSync(join(dist, `${name}.map`), 'utf8')) as { sources: string[] };
    if (!name.startsWith('sdk/')) assert.ok(map.sources.some((source) => source.endsWith('src/cli.ts') || source.endsWith('src/boot/launcher.ts')), name);
  }
});

Bundle('--version, --help, init and status load no AWS SDK, no HTTP stack, no stdin stream', async ({ world, trace }) => {
  for (const argv of [['--version'], ['--help'], ['init', 'bash'], ['status'], ['status', 'prod', '--json']]) {
    const run = await runTraced(trace, argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
    assert.is(run.status, 0, `${argv.join(' ')}: ${run.stderr}`);
    assert.equal(sdkClients(run.loaded), [], argv.join(' '));
    const quick = argv[0] === '--version' || argv[0] === '--help' || argv[0] === 'init';
    assert.is(run.loaded.some(isApp), !quick, `${argv.join(' ')}: ${quick ? 'served by the launcher alone' : 'served by the full CLI'}`);
    // What else costs a start: the HTTP stack, a stdin stream, and node:fs/promises with the modules it pulls in.
    for (const costly of ['node:http', 'node:https', 'node:crypto', 'node:fs/promises', 'node:readline', 'process.stdin']) {
      assert.not.ok(run.loaded.includes(costly), `${argv.join(' ')} loads ${costly}`);
    }
  }
  assert.equal(codeCaches(world.home).filter((name) => !name.startsWith('app-')), []);
  assert.is(world.fake.requests.length, 0);
});

Bundle('env login and login load the STS client only, ECR never without --ecr', async ({ world, trace }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  for (const argv of [['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], ['login', 'prod', ALICE.code]]) {
    const run = await runTraced(trace, argv, env);
    assert.is(run.status, 0, run.stderr);
    const clients = sdkClients(run.loaded);
    assert.is(clients.length, 1, clients.join(', '));
    assert.match(clients[0]!, /^dist\/sdk\/client-sts-\w+\.cjs$/);
    assert.ok(run.loaded.includes('node:https'), 'the trace sees built-ins');
    assert.not.ok(run.loaded.includes('process.stdin'), `${argv.join(' ')} builds a stdin stream nobody reads`);
  }
});

Bundle('login --ecr loads the ECR client too, and logs docker in through the bundle', async ({ world, trace }) => {
  const docker = await makeFakeDocker();
  try {
    const run = await runTraced(trace, ['login', 'prod', ALICE.code, '--ecr'], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, PATH: pathWith(docker.bin) }));
    assert.is(run.status, 0, run.stderr);
    assert.equal(sdkClients(run.loaded).map((file) => file.replace(/-\w+\.cjs$/, '')), ['dist/sdk/client-sts', 'dist/sdk/client-ecr']);
    assert.is((await docker.calls()).length, 1);
  } finally {
    await docker.remove();
  }
});

Bundle('rotate loads the STS and IAM clients (IAM only there); status, login and env login never load IAM', async ({ world, trace }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const run = await runTraced(trace, ['rotate', 'prod', ALICE.code], env);
  assert.is(run.status, 0, run.stderr);
  assert.equal(sdkClients(run.loaded).map((file) => file.replace(/-\w+\.cjs$/, '')), ['dist/sdk/client-sts', 'dist/sdk/client-iam']);
  assert.not.ok(run.loaded.includes('process.stdin'), 'rotate builds no stdin stream');
  // The files hold the new key now, which the endpoint knows.
  for (const argv of [['status'], ['login', 'prod', ALICE.code], ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']]) {
    const other = await runTraced(trace, argv, env);
    assert.is(other.status, 0, `${argv.join(' ')}: ${other.stderr}`);
    assert.not.ok(sdkClients(other.loaded).some((file) => file.includes('client-iam')), argv.join(' '));
  }
});

Bundle('the code caches are written per user once, reused, and a damaged one is replaced, not trusted', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const argv = ['env', 'login', 'prod', ALICE.code, '--shell', 'bash'];
  const first = await runBinary(argv, env);
  assert.is(first.status, 0, first.stderr);
  const caches = codeCaches(world.home).sort();
  const node = `-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`;
  assert.is(caches.length, 2, caches.join(', '));
  assert.match(caches[0]!, new RegExp(`^app-\\w+\\.cjs-env${node}`)); // the CLI, as `env` runs it
  assert.match(caches[1]!, new RegExp(`^client-sts-\\w+\\.cjs-any${node}`));
  const folder = join(world.home, '.cache', 'aws2fa', 'code');
  assert.is(statSync(folder).mode & 0o777, 0o700);
  const written = caches.map((name) => statSync(join(folder, name)).mtimeMs);
  const again = await runBinary(argv, env);
  assert.is(again.status, 0, again.stderr);
  assert.equal(caches.map((name) => statSync(join(folder, name)).mtimeMs), written, 'a cache V8 accepts is not written again');
  for (const name of caches) {
    const file = join(folder, name);
    writeFileSync(file, 'not V8 code');
    const damaged = await runBinary(argv, env);
    assert.is(damaged.status, 0, damaged.stderr);
    assert.match(damaged.stdout, /AWS_SESSION_TOKEN=/);
    assert.is.not(readFileSync(file, 'utf8'), 'not V8 code', name);
  }
});

Bundle('each command keeps its own cache of the CLI; caches of other builds and other Nodes are removed', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const folder = join(world.home, '.cache', 'aws2fa', 'code');
  const first = await runBinary(['status'], env);
  assert.is(first.status, 0, first.stderr);
  const [status] = codeCaches(world.home);
  assert.match(status!, /^app-\w+\.cjs-status-/);
  const build = status!.slice(0, status!.indexOf('.cjs-') + 5); // app-HASH.cjs-
  const stale = [`app-OLDBUILD.cjs-login-${process.version}-${process.arch}.v8`, `${build}login-v18.0.0-${process.arch}.v8`];
  const kept = [`client-ecr-OTHER.cjs-any-${process.version}-${process.arch}.v8`, 'notes.txt'];
  for (const name of [...stale, ...kept]) writeFileSync(join(folder, name), 'x');
  const login = await runBinary(['login', 'prod', ALICE.code], env);
  assert.is(login.status, 0, login.stderr);
  const after = codeCaches(world.home);
  assert.ok(after.includes(status!), 'the status cache stays');
  assert.ok(after.some((name) => name.startsWith(`${build}login-${process.version}-`)), after.join(', '));
  for (const name of stale) assert.not.ok(after.includes(name), `${name} is removed`);
  for (const name of kept) assert.ok(after.includes(name), `${name} is not the CLI's: kept`);
});

Bundle('the launcher knows every command word of the CLI (from the build): each has a cache of its own', async ({ world }) => {
  const { buildCli } = await import('../src/cli.js');
  const registered = (buildCli() as unknown as { registrations: Map<{ paths?: string[][] }, unknown> }).registrations;
  const words = new Set([...registered.keys()].flatMap((command) => command.paths ?? []).map((path) => path[0] ?? '-'));
  const commandWords = [...words].filter((word) => !word.startsWith('-'));
  assert.ok(commandWords.includes('login') && commandWords.includes('env'), commandWords.join(' '));
  for (const word of [...commandWords, 'prod']) await runBinary([word, '--help'], cleanEnv(world.home));
  const kinds = codeCaches(world.home).map((name) => /^app-\w+\.cjs-([^-]+)-/.exec(name)?.[1]);
  assert.equal(kinds.sort(), [...commandWords, 'other'].sort());
});

Bundle('a cache others could have written is not trusted: not read, not written', async ({ world }) => {
  const argv = ['env', 'login', 'prod', ALICE.code, '--shell', 'bash'];
  // A shared folder such as /tmp (world-writable) for XDG_CACHE_HOME: the run works, uncached, and leaves nothing.
  const shared = mkdtempSync(join(tmpdir(), 'aws2fa-shared-'));
  try {
    chmodSync(shared, 0o777);
    const run = await runBinary(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, XDG_CACHE_HOME: shared }));
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stdout, /AWS_SESSION_TOKEN=/);
    assert.equal(readdirSync(shared), []);
  } finally {
    rmSync(shared, { recursive: true, force: true });
  }
  // A cache file that others may write is replaced by one of this run's (0600), never used as it is.
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const folder = join(world.home, '.cache', 'aws2fa', 'code');
  assert.is((await runBinary(argv, env)).status, 0);
  const caches = codeCaches(world.home);
  for (const name of caches) chmodSync(join(folder, name), 0o666);
  assert.is((await runBinary(argv, env)).status, 0);
  for (const name of caches) assert.is(statSync(join(folder, name)).mode & 0o777, 0o600, name);
  // A folder of the chain that everyone may write: no cache is read or written in it.
  for (const name of caches) rmSync(join(folder, name));
  chmodSync(join(world.home, '.cache', 'aws2fa'), 0o777);
  assert.is((await runBinary(argv, env)).status, 0);
  assert.equal(codeCaches(world.home), []);
});

Bundle('AWS2FA_CODE_CACHE=node (for the bench): Node\'s compile cache where Node has one, in the same folder', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_CODE_CACHE: 'node' });
  const run = await runBinary(['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], env);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /AWS_SESSION_TOKEN=/);
  const hasNodeCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  const caches = codeCaches(world.home);
  if (hasNodeCache) assert.equal([caches.length, /^v\d+\.\d+\.\d+-/.test(caches[0] ?? '')], [1, true], caches.join(', '));
  else assert.is(caches.length, 2, 'Node 20: V8\'s cache, as without the variable');
});

Bundle('NODE_DISABLE_COMPILE_CACHE=1 leaves no cache behind', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, NODE_DISABLE_COMPILE_CACHE: '1' });
  const run = await runBinary(['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], env);
  assert.is(run.status, 0, run.stderr);
  assert.equal(codeCaches(world.home), []);
});

// The build changes parts of clipanion (scripts/build.mjs, clipanionAtStartup), renders --help ahead, and a run
// registers only some commands (src/cli.ts): the bundle must still say what the sources say.
Bundle('the bundle prints what the sources print, help and parse errors included', async ({ world }) => {
  const cases = [
    ['--help'],
    ['-h'],
    ['login', '--help'],
    ['env', 'login', '--help'],
    ['init', 'nosuch'],
    ['--name', 'acme', 'status'],
    ['mfa'],
    ['status', '--nosuch'],
    ['prod', '12345'],
    ['init', 'fish', '--debug'], // the full CLI reads the hook beside its own file
  ];
  for (const argv of cases) {
    const source = await runInProcess(argv, { home: world.home, env: {} });
    const bundle = await runBinary(argv, cleanEnv(world.home));
    assert.equal([bundle.status, bundle.stdout, bundle.stderr], [source.status, source.stdout, source.stderr], argv.join(' '));
  }
});

Bundle('the quick entry answers exactly as the full CLI, and leaves everything else to it', async ({ world }) => {
  const { quickAnswer } = await import('../src/boot/quick.js');
  for (const argv of [['--version'], ['-v'], ['--help'], ['-h'], ['init', 'bash'], ['init', 'zsh'], ['init', 'fish']]) {
    const full = await runInProcess(argv, { home: world.home, env: {} });
    assert.is(full.status, 0);
    if (!argv[0]!.startsWith('-h') && argv[0] !== '--help') assert.is(quickAnswer(argv, false), full.stdout, argv.join(' '));
    const built = await runBinary(argv, cleanEnv(world.home));
    assert.equal([built.status, built.stdout, built.stderr], [0, full.stdout, ''], argv.join(' '));
  }
  for (const argv of [['init'], ['init', 'tcsh'], ['init', 'bash', '--help'], ['--version', 'x'], ['status']]) {
    assert.is(quickAnswer(argv, false), undefined, argv.join(' '));
  }
  const rendered = JSON.parse(readFileSync(new URL('dist/help.json', ROOT), 'utf8')) as { plain: string; colored: string };
  const { buildCli } = await import('../src/cli.js');
  assert.is(rendered.colored, buildCli(true).usage(null), 'the coloured help, as a terminal gets it');
  const refused = await runBinary(['init', 'tcsh'], cleanEnv(world.home));
  assert.equal([refused.status, refused.stdout], [2, '']);
});

Bundle.run();
