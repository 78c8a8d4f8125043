import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from './helpers/child.js';
import { BINARY, cleanEnv, runBinary, runInProcess, type RunResult } from './helpers/cli.js';
import { makeFakeDocker, pathWith } from './helpers/fake-docker.js';
import { ALICE } from './helpers/home.js';
import { makeWorld, type World } from './helpers/world.js';

// What the published binary is made of, and what each path loads: the start-up budget of issue 5 rests on the
// AWS SDK staying out of the paths that do not call AWS. No timing here: `npm run bench` measures.
const Bundle = suite<{ world: World; hooks: string }>('bundle: bin runs the bundle, and the SDK loads only to call AWS');

const ROOT = new URL('../', import.meta.url);

// An ESM loader hook (a separate thread in Node 20) appends every module URL it loads to $AWS2FA_TEST_LOADED.
// The SDK itself is CommonJS read by src/aws/code-cache.ts, reachable only through its chunk, chunks/client-*.js.
function writeHooks(folder: string): string {
  writeFileSync(
    join(folder, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\n` +
      `export async function load(url, context, next) { appendFileSync(process.env.AWS2FA_TEST_LOADED, url + '\\n'); return next(url, context); }\n`,
  );
  writeFileSync(join(folder, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  return pathToFileURL(join(folder, 'register.mjs')).href;
}

interface Traced extends RunResult {
  loaded: string[]; // file URLs relative to the repository, and node: builtins
}

async function runTraced(hooks: string, argv: string[], env: Record<string, string | undefined>): Promise<Traced> {
  const log = join(mkdtempSync(join(tmpdir(), 'aws2fa-loaded-')), 'loaded.txt');
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--import', hooks, BINARY, ...argv], {
    env: { ...env, AWS2FA_TEST_LOADED: log } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { status, stdout, stderr } = await finished(child);
  const loaded = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url !== '' && !url.includes('register.mjs'))
    .map((url) => url.replace(ROOT.href, ''));
  rmSync(join(log, '..'), { recursive: true, force: true });
  return { status: status ?? 1, stdout, stderr, loaded };
}

const sdkChunks = (loaded: string[]) => loaded.filter((url) => /^dist\/chunks\/client-/.test(url));

function codeCaches(home: string): string[] {
  try {
    return readdirSync(join(home, '.cache', 'aws2fa', 'code'));
  } catch {
    return [];
  }
}

Bundle.before.each(async (context) => {
  context.world = await makeWorld();
  context.hooks = writeHooks(mkdtempSync(join(tmpdir(), 'aws2fa-hooks-')));
});
Bundle.after.each(async (context) => {
  await context.world.remove();
  rmSync(join(new URL(context.hooks).pathname, '..'), { recursive: true, force: true });
});

Bundle('package.json bin is the launcher, and the launcher runs the built bundle, no source file', async ({ world, hooks }) => {
  const manifest = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { bin: Record<string, string> };
  assert.equal(manifest.bin, { aws2fa: 'bin/aws2fa.js' });
  const run = await runTraced(hooks, ['status'], cleanEnv(world.home));
  assert.is(run.status, 0, run.stderr);
  assert.equal(run.loaded.filter((url) => !url.startsWith('node:')).slice(0, 2), ['bin/aws2fa.js', 'dist/aws2fa.js']);
  assert.equal(run.loaded.filter((url) => url.startsWith('file:') || url.startsWith('src/') || url.includes('node_modules')), []);
});

Bundle('--version, --help, init and status load no AWS SDK', async ({ world, hooks }) => {
  for (const argv of [['--version'], ['--help'], ['init', 'bash'], ['status'], ['status', 'prod', '--json']]) {
    const run = await runTraced(hooks, argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
    assert.is(run.status, 0, `${argv.join(' ')}: ${run.stderr}`);
    assert.equal(sdkChunks(run.loaded), [], argv.join(' '));
    const quick = argv[0] === '--version' || argv[0] === '--help' || argv[0] === 'init';
    assert.ok(run.loaded.includes(quick ? 'dist/quick.js' : 'dist/aws2fa.js'), argv.join(' '));
    if (quick) assert.not.ok(run.loaded.includes('dist/aws2fa.js'), `${argv.join(' ')}: served without the full CLI`);
  }
  assert.equal(codeCaches(world.home), []);
  assert.is(world.fake.requests.length, 0);
});

Bundle('env login and login load the STS client only, ECR never without --ecr', async ({ world, hooks }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  for (const argv of [['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], ['login', 'prod', ALICE.code]]) {
    const run = await runTraced(hooks, argv, env);
    assert.is(run.status, 0, run.stderr);
    const chunks = sdkChunks(run.loaded);
    assert.is(chunks.length, 1, chunks.join(', '));
    assert.match(chunks[0]!, /^dist\/chunks\/client-sts-\w+\.js$/);
  }
});

Bundle('login --ecr loads the ECR client too, and logs docker in through the bundle', async ({ world, hooks }) => {
  const docker = await makeFakeDocker();
  try {
    const run = await runTraced(hooks, ['login', 'prod', ALICE.code, '--ecr'], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, PATH: pathWith(docker.bin) }));
    assert.is(run.status, 0, run.stderr);
    assert.equal(sdkChunks(run.loaded).map((url) => url.replace(/-\w+\.js$/, '')), ['dist/chunks/client-sts', 'dist/chunks/client-ecr']);
    assert.is((await docker.calls()).length, 1);
  } finally {
    await docker.remove();
  }
});

Bundle('the SDK code cache is written per user once, and a damaged one is replaced, not trusted', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const argv = ['env', 'login', 'prod', ALICE.code, '--shell', 'bash'];
  const first = await runBinary(argv, env);
  assert.is(first.status, 0, first.stderr);
  const [cache, ...others] = codeCaches(world.home);
  assert.equal(others, []);
  assert.match(cache!, new RegExp(`^client-sts-\\w+\\.cjs-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`));
  const file = join(world.home, '.cache', 'aws2fa', 'code', cache!);
  writeFileSync(file, 'not V8 code');
  const damaged = await runBinary(argv, env);
  assert.is(damaged.status, 0, damaged.stderr);
  assert.match(damaged.stdout, /AWS_SESSION_TOKEN=/);
  assert.is.not(readFileSync(file, 'utf8'), 'not V8 code');
});

Bundle('NODE_DISABLE_COMPILE_CACHE=1 leaves no cache behind', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, NODE_DISABLE_COMPILE_CACHE: '1' });
  const run = await runBinary(['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], env);
  assert.is(run.status, 0, run.stderr);
  assert.equal(codeCaches(world.home), []);
});

// The build changes how clipanion sorts --help (scripts/build.mjs, clipanionAtStartup) and which commands a run
// registers (src/cli.ts): the bundle must still say what the sources say.
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
  ];
  for (const argv of cases) {
    const source = await runInProcess(argv, { home: world.home, env: {} });
    const bundle = await runBinary(argv, cleanEnv(world.home));
    assert.equal([bundle.status, bundle.stdout, bundle.stderr], [source.status, source.stdout, source.stderr], argv.join(' '));
  }
});

Bundle('the quick entry answers exactly as the full CLI, and leaves everything else to it', async ({ world }) => {
  const { quickAnswer } = await import('../src/quick.js');
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
