import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from './helpers/child.js';
import { cleanEnv } from './helpers/cli.js';
import { ALICE } from './helpers/home.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from './helpers/world.js';

// The package as users get it: packed from a clone that was never built (`prepare` builds), installed globally from
// the tarball without the network, with no dependency at all (everything it runs is in the bundle), and working.
const Package = suite<{ world: World; scratch: string }>('package: npm pack of a clean clone installs offline, with no dependencies, and works');

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies?: object };

Package.before.each(async (context) => {
  context.world = await makeWorld();
  context.scratch = mkdtempSync(join(tmpdir(), 'aws2fa-package-'));
});
Package.after.each(async (context) => {
  await context.world.remove();
  rmSync(context.scratch, { recursive: true, force: true });
});

// npm with nothing of the surrounding `npm test` (its npm_config_* variables) and a cache of its own, empty.
async function npm(args: string[], cwd: string, scratch: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    HOME: join(scratch, 'home'),
    npm_config_cache: join(scratch, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  return finished(spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

// A clone as git gives it: the tracked sources, no dist/. node_modules is the one `npm ci` made for this checkout.
function cleanClone(scratch: string): string {
  const clone = join(scratch, 'clone');
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'scripts', 'src', 'shell']) {
    cpSync(join(ROOT, entry), join(clone, entry), { recursive: true });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
  return clone;
}

Package('packed from a clean clone, installed with --offline: no dependency, --version, init bash/fish, login and logout', async ({ world, scratch }) => {
  assert.is(manifest.dependencies, undefined, 'no runtime dependency: the bundle holds what it runs');
  const clone = cleanClone(scratch);
  const pack = await npm(['pack', '--pack-destination', scratch], clone, scratch);
  assert.is(pack.status, 0, pack.stderr);
  const tarball = join(scratch, `aws2fa-${manifest.version}.tgz`);
  assert.ok(existsSync(tarball), pack.stdout);
  assert.ok(existsSync(join(clone, 'dist', 'aws2fa.cjs')), 'prepare built dist/');

  const prefix = join(scratch, 'prefix');
  const install = await npm(['install', '-g', '--prefix', prefix, '--offline', tarball], scratch, scratch);
  assert.is(install.status, 0, install.stderr);
  assert.match(install.stdout, /added 1 package/);
  const installed = join(prefix, 'lib', 'node_modules', 'aws2fa');
  assert.not.ok(existsSync(join(installed, 'node_modules')), 'nothing installed beside it');
  assert.equal(readdirSync(installed).sort(), ['README.md', 'dist', 'package.json', 'shell']);

  // The installed command, started as a shell starts it: by its name on PATH, through its #! line.
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin` });
  const run = (argv: string[]) => finished(spawn('aws2fa', argv, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
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

Package.run();
