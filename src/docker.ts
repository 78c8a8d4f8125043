import { accessSync, constants, statSync } from 'node:fs';
import { platform } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { RegistryLogin } from './aws/ecr.js';
import { BadInputError, DockerError } from './errors.js';
import { printable } from './printable.js';

// The docker CLI or a compatible client (podman, finch, nerdctl), run without a shell: the name is one program,
// never a command line, so nothing in it is interpreted.

type Env = Record<string, string | undefined>;

export interface DockerClient {
  name: string; // as the user named it, without control characters: for messages
  path: string; // the executable found for it
}

export interface DockerOutcome {
  notLoggedIn: boolean; // logout of a registry the client had no login for
}

// docker login may wait on a registry or a credential helper; a stuck one must not hold the terminal forever.
const CLIENT_TIMEOUT_MS = 60_000;
const KEPT_OUTPUT_BYTES = 64 * 1024;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Looked up on the command's own PATH (not this process's), as the child would be: in-process runs and tests
// bring their own environment.
function findExecutable(name: string, env: Env): string | undefined {
  const windows = platform() === 'win32';
  const suffixes = windows ? ['', '.exe'] : [''];
  const isPath = name.includes('/') || (windows && name.includes('\\'));
  const bases = isPath ? [resolve(name)] : (env.PATH ?? '/usr/bin:/bin').split(delimiter).map((dir) => join(dir || '.', name));
  for (const base of bases) {
    for (const suffix of suffixes) {
      if (isExecutableFile(base + suffix)) return base + suffix;
    }
  }
  return undefined;
}

// --docker-command, else AWS2FA_DOCKER, else docker; the source is named when the client is missing.
function chosenClient(option: string | undefined, env: Env): [name: string, source: string] {
  if (option !== undefined) return [option, '--docker-command'];
  if (env.AWS2FA_DOCKER) return [env.AWS2FA_DOCKER, 'AWS2FA_DOCKER'];
  return ['docker', ''];
}

export async function findDockerClient(option: string | undefined, env: Env): Promise<DockerClient> {
  const [name, source] = chosenClient(option, env);
  if (name.trim() === '') throw new BadInputError(`${source} needs the name of a docker-compatible client, e.g. podman`);
  const path = findExecutable(name, env);
  if (path) return { name: printable(name), path };
  const origin = source ? ` (from ${source})` : '';
  const oneProgram = /\s/.test(name.trim()) ? `; it names one program, arguments are not supported` : '';
  throw new DockerError(
    `${printable(name)}${origin} not found: install it or pass --docker-command podman / set AWS2FA_DOCKER to a docker-compatible client${oneProgram}`,
  );
}

// One short line from the client's output for an error message: control characters out (no terminal escapes
// from a child), the secret out should the client ever echo it, the line that names the error preferred.
export function failureReason(output: string, secret?: string): string {
  const redacted = secret ? output.split(secret).join('***') : output;
  const lines = redacted.split(/\r?\n/).map(printable).filter(Boolean);
  const line = [...lines].reverse().find((candidate) => /error|denied|unauthori[sz]ed|fail|refused/i.test(candidate)) ?? lines.at(-1) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string; // stderr, then stdout: both kept away from our stdout, which env mode's shell evaluates
}

// child_process is loaded here, not at every start of aws2fa: only --ecr runs docker.
async function run(client: DockerClient, args: string[], env: Env, input: string): Promise<RunResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((done, fail) => {
    const child = spawn(client.path, args, { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const stderr: Buffer[] = [];
    const stdout: Buffer[] = [];
    let kept = 0;
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      if (kept >= KEPT_OUTPUT_BYTES) return;
      into.push(chunk);
      kept += chunk.length;
    };
    child.stdout.on('data', keep(stdout));
    child.stderr.on('data', keep(stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, CLIENT_TIMEOUT_MS);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, timedOut, output: `${Buffer.concat(stderr).toString('utf8')}\n${Buffer.concat(stdout).toString('utf8')}` });
    });
    // A client that exits without reading its stdin breaks the pipe; its exit status says what went wrong.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

async function runClient(client: DockerClient, args: string[], env: Env, input: string): Promise<RunResult> {
  const verb = args[0] ?? '';
  let result: RunResult;
  try {
    result = await run(client, args, env, input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') throw new DockerError(`${client.name} not found: install it or pass --docker-command podman / set AWS2FA_DOCKER`);
    throw new DockerError(`cannot run ${client.name} (${code || String(error)})`);
  }
  if (result.timedOut) throw new DockerError(`${client.name} ${verb} did not finish within ${CLIENT_TIMEOUT_MS / 1000} s`);
  return result;
}

function exitText(result: RunResult): string {
  return result.signal ? `was killed by ${result.signal}` : `exited with status ${result.status}`;
}

// The password reaches the client on stdin only: never argv (visible in ps), the environment or a file.
export async function dockerLogin(client: DockerClient, env: Env, registry: RegistryLogin): Promise<void> {
  // `--` ends the options (docker, podman and nerdctl parse with cobra/pflag): the address, which comes from the
  // network, can never be taken for one.
  const args = ['login', '--username', registry.username, '--password-stdin', '--', registry.proxyEndpoint];
  const result = await runClient(client, args, env, registry.password);
  if (result.status !== 0) {
    const reason = failureReason(result.output, registry.password);
    throw new DockerError(`${client.name} login ${exitText(result)}${reason ? `: ${reason}` : ''}`);
  }
}

export async function dockerLogout(client: DockerClient, env: Env, registry: string): Promise<DockerOutcome> {
  const result = await runClient(client, ['logout', '--', registry], env, '');
  // docker says so and exits 0; podman says so and exits non-zero. Either way there is nothing left to remove.
  const notLoggedIn = /not logged in/i.test(result.output);
  if (result.status !== 0 && !notLoggedIn) {
    const reason = failureReason(result.output);
    throw new DockerError(`${client.name} logout ${exitText(result)}${reason ? `: ${reason}` : ''}`);
  }
  return { notLoggedIn };
}
