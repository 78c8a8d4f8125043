import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A docker stand-in: a recording executable put first on PATH. Each call leaves its argv (one argument per line),
// its stdin and its environment in files of its own; a call whose argv mentions `failOn` fails the way docker
// does, and echoes its stdin into the error to prove that aws2fa redacts it.

export interface DockerCall {
  argv: string[];
  stdin: string;
  env: string;
}

export interface FakeDocker {
  bin: string; // put this first on PATH
  calls(): Promise<DockerCall[]>;
  overlapped(): Promise<boolean>; // two calls ran at the same time
  waiting(): Promise<string[]>; // with `gate`: the calls (their pids) held at the gate, still running
  letGo(pid: string): Promise<void>; // with `gate`: lets that call go on
  remove(): Promise<void>;
}

export interface FakeDockerOptions {
  name?: string; // the executable's name, default docker
  failOn?: string; // argv containing this fails with status 1
  notLoggedIn?: boolean; // logout answers like podman does for a registry it has no login for
  gate?: boolean; // each call waits until the test lets it go: the test sees it running, for sure
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export async function makeFakeDocker(options: FakeDockerOptions = {}): Promise<FakeDocker> {
  const root = await mkdtemp(join(tmpdir(), 'aws2fa-docker-'));
  const bin = join(root, 'bin');
  const log = join(root, 'calls');
  await mkdir(bin);
  await mkdir(log);
  const failOn = options.failOn ?? '';
  const script = `#!/bin/sh
log=${quote(log)}
call="$log/$$"
mkdir "$log/running" 2>/dev/null || : > "$log/overlap"
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$call.argv"
if [ -n ${quote(options.gate ? 'gate' : '')} ]; then
  : > "$log/$$.waiting"
  while [ ! -e "$log/$$.go" ]; do sleep 0.01; done
  rm -f "$log/$$.waiting"
fi
cat > "$call.stdin"
env > "$call.env"
sleep 0.05
rmdir "$log/running"
echo "WARNING! Your password will be stored unencrypted in $HOME/.docker/config.json." >&2
fail_on=${quote(failOn)}
if [ -n "$fail_on" ]; then
  for arg in "$@"; do
    case "$arg" in *"$fail_on"*)
      echo "Error response from daemon: login attempt to $arg failed with status: 400 Bad Request (got $(cat "$call.stdin"))" >&2
      exit 1;;
    esac
  done
fi
# the server is the last argument, after --
for server in "$@"; do :; done
if [ "$1" = logout ]; then
  ${options.notLoggedIn ? `echo "Error: not logged into $server" >&2; exit 125` : `echo "Removing login credentials for $server"`}
else
  echo "Login Succeeded"
fi
`;
  const executable = join(bin, options.name ?? 'docker');
  await writeFile(executable, script);
  await chmod(executable, 0o755);
  return {
    bin,
    async calls() {
      const names = (await readdir(log)).filter((name) => name.endsWith('.argv'));
      return Promise.all(
        names.map(async (name) => {
          const base = join(log, name.slice(0, -'.argv'.length));
          const argv = (await readFile(`${base}.argv`, 'utf8')).split('\n').slice(0, -1);
          return { argv, stdin: await readFile(`${base}.stdin`, 'utf8'), env: await readFile(`${base}.env`, 'utf8') };
        }),
      );
    },
    async overlapped() {
      return (await readdir(log)).includes('overlap');
    },
    async waiting() {
      return (await readdir(log)).filter((name) => name.endsWith('.waiting')).map((name) => name.slice(0, -'.waiting'.length));
    },
    async letGo(pid) {
      await writeFile(join(log, `${pid}.go`), '');
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

// A PATH with the fake first, then what the system has (sh, cat, env, sleep for the script).
export function pathWith(...dirs: string[]): string {
  return [...dirs, '/usr/local/bin', '/usr/bin', '/bin'].join(':');
}
