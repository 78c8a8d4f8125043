import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from './helpers/child.js';
import { cleanEnv } from './helpers/cli.js';
import { ALICE } from './helpers/home.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from './helpers/world.js';

// The package as users get it: packed from a clone that was never built (`prepack` builds), installed globally from
// the tarball without the network, with no dependency at all (everything it runs is in the bundle), running no
// script of its own and printing no warning, and working.
const Package = suite<{ world: World; scratch: string; packed: string; tarball: string }>('package: npm pack of a clean clone installs offline, with no dependencies, no script, and works');

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies?: object };
const TARBALL = `aws2fa-${manifest.version}.tgz`;

// Scripts npm runs when a package is installed (from a tarball, a folder or git): npm 11 asks for `allowScripts`
// before running any of them, and warns on every `npm install -g` of a package that has one.
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'];
const SCRIPTS_NOTICE = /allowScripts|allow-scripts|install-scripts/i;

// One tarball, packed once from a clean clone, for the tests that install it.
Package.before(async (context) => {
  context.packed = mkdtempSync(join(tmpdir(), 'aws2fa-packed-'));
  context.tarball = await packCleanClone(context.packed);
});
Package.after((context) => {
  rmSync(context.packed, { recursive: true, force: true });
});
Package.before.each(async (context) => {
  context.world = await makeWorld();
  context.scratch = mkdtempSync(join(tmpdir(), 'aws2fa-package-'));
});
Package.after.each(async (context) => {
  await context.world.remove();
  rmSync(context.scratch, { recursive: true, force: true });
});

type Run = { status: number | null; stdout: string; stderr: string };

// npm with nothing of the surrounding `npm test` (its npm_config_* variables) and a cache of its own, empty; never
// the network. `extra` sets npm's own configuration as a user's environment would (e.g. the global prefix).
function npmEnv(scratch: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    HOME: join(scratch, 'home'),
    npm_config_cache: join(scratch, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_offline: 'true',
    ...extra,
  };
}
async function npm(args: string[], cwd: string, scratch: string, extra: Record<string, string> = {}): Promise<Run> {
  return finished(spawn('npm', args, { cwd, env: npmEnv(scratch, extra), stdio: ['ignore', 'pipe', 'pipe'] }));
}

// A clone as git gives it: the tracked sources, no dist/. node_modules is the one `npm ci` made for this checkout
// (a link to it: nothing here may run `npm ci` or `npm install` in the clone).
function cleanClone(scratch: string, name = 'clone'): string {
  const clone = join(scratch, name);
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'scripts', 'src', 'shell', 'test']) {
    cpSync(join(ROOT, entry), join(clone, entry), { recursive: true });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
  return clone;
}

async function packCleanClone(scratch: string): Promise<string> {
  const clone = cleanClone(scratch);
  const pack = await npm(['pack', '--pack-destination', scratch], clone, scratch);
  assert.is(pack.status, 0, pack.stderr);
  assert.ok(existsSync(join(scratch, TARBALL)), pack.stdout);
  assert.ok(existsSync(join(clone, 'dist', 'aws2fa.cjs')), 'prepack built dist/');
  return join(scratch, TARBALL);
}

function scriptsOf(packageJson: string): string[] {
  return Object.keys((JSON.parse(packageJson) as { scripts?: object }).scripts ?? {});
}

// An install says nothing on stderr: no allowScripts notice, no warning at all.
function assertQuietInstall(install: Run): void {
  assert.is(install.status, 0, install.stderr);
  assert.not.match(install.stdout + install.stderr, SCRIPTS_NOTICE);
  assert.is(install.stderr, '');
  assert.match(install.stdout, /added 1 package/);
}

// The installed command, started as a shell starts it: by its name on PATH, through its #! line.
function installedCommand(world: World, bin: string) {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin` });
  return (argv: string[]) => finished(spawn('aws2fa', argv, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
}

Package('packed from a clean clone, installed with --offline: no dependency, --version, init bash/fish, login and logout', async ({ world, scratch, tarball }) => {
  assert.is(manifest.dependencies, undefined, 'no runtime dependency: the bundle holds what it runs');

  const prefix = join(scratch, 'prefix');
  const install = await npm(['install', '-g', '--prefix', prefix, '--offline', tarball], scratch, scratch);
  assertQuietInstall(install);
  const installed = join(prefix, 'lib', 'node_modules', 'aws2fa');
  assert.not.ok(existsSync(join(installed, 'node_modules')), 'nothing installed beside it');
  assert.equal(readdirSync(installed).sort(), ['README.md', 'dist', 'package.json', 'shell']);

  const run = installedCommand(world, join(prefix, 'bin'));
  assert.equal(await run(['--version']), { status: 0, signal: null, stdout: `${manifest.version}\n`, stderr: '' });
  assert.equal(await run(['init', 'bash']), { status: 0, signal: null, stdout: readFileSync(join(ROOT, 'shell', 'aws2fa.sh'), 'utf8'), stderr: '' });
  assert.equal(await run(['init', 'fish']), { status: 0, signal: null, stdout: readFileSync(join(ROOT, 'shell', 'aws2fa.fish'), 'utf8'), stderr: '' });

  const login = await run(['login', 'prod', ALICE.code]);
  assert.equal([login.status, login.stderr], [0, '']);
  assert.match(login.stdout, /^Logged in prod until /);
  assert.ok((await world.read(world.credentials)).includes(`aws_session_token = ${world.fake.issued[0]!.sessionToken}\n`));
  const logout = await run(['logout', 'prod']);
  assert.equal([logout.status, logout.stderr], [0, '']);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS);
});

Package('the tarball runs no script at install: its package.json has no install-time script, and the repository\'s neither', async ({ tarball }) => {
  const packed = spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
  assert.is(packed.status, 0, packed.stderr);
  for (const [where, text] of [['packed', packed.stdout], ['repository', readFileSync(join(ROOT, 'package.json'), 'utf8')]] as const) {
    const scripts = scriptsOf(text);
    assert.equal(scripts.filter((name) => INSTALL_SCRIPTS.includes(name)), [], `${where} package.json: ${scripts.join(', ')}`);
    assert.ok(scripts.includes('prepack'), `${where} package.json builds on prepack`);
  }
  // npm adds `install: node-gyp rebuild` by itself for a package with a binding.gyp.
  const listed = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  assert.not.match(listed.stdout, /binding\.gyp/);
});

Package('npm install -g ./aws2fa-VERSION.tgz, as typed, into the global prefix of npm\'s config: no allowScripts notice, aws2fa --version works', async ({ world, scratch, tarball }) => {
  const globalPrefix = join(scratch, 'global');
  const install = await npm(['install', '-g', `./${TARBALL}`], dirname(tarball), scratch, { npm_config_prefix: globalPrefix });
  assertQuietInstall(install);
  const run = installedCommand(world, join(globalPrefix, 'bin'));
  assert.equal(await run(['--version']), { status: 0, signal: null, stdout: `${manifest.version}\n`, stderr: '' });
});

// The README's first command, as a newcomer pastes it into a fresh clone (its `npm ci` left out: this clone shares
// node_modules with the checkout): installs under ~/.local without root, no allowScripts notice, aws2fa on PATH.
Package('the README\'s install command: --prefix ~/.local from a fresh clone, no allowScripts notice, aws2fa --help runs', async ({ scratch }) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  const [install, tests] = blocks;
  assert.ok(install?.startsWith('npm ci && '), `the README's first command starts with npm ci: ${install}`);
  assert.match(install!, /npm install -g --prefix ~\/\.local \.\/aws2fa-\*\.tgz/);
  assert.match(install!, /^export PATH="\$HOME\/\.local\/bin:\$PATH"/m);
  assert.is(tests, 'npm ci && npm test\n', 'the README\'s second command runs the tests');

  const clone = cleanClone(scratch);
  mkdirSync(join(scratch, 'home'));
  const script = install!.slice('npm ci && '.length);
  const env = npmEnv(scratch, { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` });
  const r = await finished(spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stdout + r.stderr, SCRIPTS_NOTICE);
  assert.ok(r.stdout.includes(`aws2fa - ${manifest.version}\n`) && r.stdout.includes(`aws2fa login `), `aws2fa --help ran: ${r.stdout}`);
  const bin = join(scratch, 'home', '.local', 'bin', 'aws2fa');
  assert.ok(lstatSync(bin).isSymbolicLink(), `${bin} installed`);
});

// Contributors: `npm link` from a clone after `npm run build` (nothing builds at install any more) puts a working
// aws2fa on PATH, pointing at the clone's dist/.
Package('npm run build && npm link in a clone: aws2fa --version from the clone\'s dist/', async ({ world, scratch }) => {
  const clone = cleanClone(scratch);
  const globalPrefix = join(scratch, 'global');
  const extra = { npm_config_prefix: globalPrefix };
  const build = await npm(['run', 'build'], clone, scratch, extra);
  assert.is(build.status, 0, build.stdout + build.stderr);
  const link = await npm(['link'], clone, scratch, extra);
  assert.is(link.status, 0, link.stderr);
  assert.not.match(link.stdout + link.stderr, SCRIPTS_NOTICE);
  assert.is(realpathSync(join(globalPrefix, 'bin', 'aws2fa')), realpathSync(join(clone, 'dist', 'aws2fa.cjs')));
  const run = installedCommand(world, join(globalPrefix, 'bin'));
  assert.equal(await run(['--version']), { status: 0, signal: null, stdout: `${manifest.version}\n`, stderr: '' });
});

Package.run();
