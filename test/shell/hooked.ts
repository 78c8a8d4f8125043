import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runShell, type Shell, type ShellResult, tempDir } from '../helpers/shells.js';
import { dialect, HOOK } from '../helpers/shell-dialect.js';
export { dialect, HOOK };

// Runs the shell hooks against a fake `aws2fa` (a script first on PATH) that records, per call, its argv, the
// hook's variables, what came on descriptor 3, where its stdin pointed, and whether its environment held the
// held value; it prints what the test gave for that call (by number) and exits with the status given.

export const dir = tempDir(`aws2fa-hooked-`);
const bin = join(dir, `bin`);
mkdirSync(bin);
writeFileSync(
  join(bin, `aws2fa`),
  `#!/bin/sh
n=$(( $(grep -c '^--$' "$FAKE_DIR/log" 2>/dev/null || echo 0) + 1 ))
{
  printf 'argv:'; for a in "$@"; do printf '[%s]' "$a"; done; printf '\\n'
  printf 'hook:%s\\n' "\${AWS2FA_HOOK-unset}"
  printf 'fd:%s\\n' "\${AWS2FA_HELD_FD-unset}"
  if [ "\${AWS2FA_HELD_FD-}" = 3 ]; then printf 'held:%s\\n' "$(cat <&3)"; fi
  # Other copies of the held pipe (test is a builtin: this shell's own descriptors; -ef: the same pipe).
  fd=4; printf 'pipes:'; while [ "\${AWS2FA_HELD_FD-}" = 3 ] && [ $fd -lt 256 ]; do if [ -p /dev/fd/$fd ] && [ /dev/fd/$fd -ef /dev/fd/3 ]; then printf ' %s' $fd; fi; fd=$((fd + 1)); done; printf '\\n'
  printf 'stdin:%s\\n' "$(readlink /proc/$$/fd/0)"
  env | grep -q aws2fa-held && printf 'leak:env\\n'
  printf -- '--\\n'
} >> "$FAKE_DIR/log"
[ -z "\${FAKE_STDIN-}" ] || cat >> "$FAKE_STDIN"
[ ! -f "$FAKE_DIR/err.$n" ] || cat "$FAKE_DIR/err.$n" >&2
[ ! -f "$FAKE_DIR/out.$n" ] || cat "$FAKE_DIR/out.$n"
exit "$(cat "$FAKE_DIR/status.$n" 2>/dev/null || echo 0)"
`,
);
chmodSync(join(bin, `aws2fa`), 0o755);

export interface FakeCall {
  argv: string;
  hook: string;
  fd: string;
  held: string | null;
  stdin: string;
  leak: boolean;
  /** descriptors above 3 on the held session's pipe: none, or a copy of it reached the binary */
  pipes: string;
}

export interface FakeAnswer {
  out?: string;
  status?: number;
  stderr?: string;
}

export interface HookedRun extends ShellResult {
  calls: FakeCall[];
  stdinSeen: string | null;
  home: string;
  tmp: string;
}

function parseCalls(log: string): FakeCall[] {
  return log
    .split(/^--\n/m)
    .filter(Boolean)
    .map(block => {
      const field = (name: string) => block.match(new RegExp(`^${name}:(.*)$`, `m`))?.[1] ?? null;
      return { argv: field(`argv`) ?? ``, hook: field(`hook`) ?? ``, fd: field(`fd`) ?? ``, held: field(`held`), stdin: field(`stdin`) ?? ``, leak: /^leak:/m.test(block), pipes: field(`pipes`) ?? `` };
    });
}

let runs = 0;
// Each script runs under `set -u` / `setopt nounset`; `answers[i]` is what the fake says to its (i+1)-th call.
export function runHooked(shell: Shell, lines: string[], answers: FakeAnswer[] = [], options: { interactive?: boolean; env?: Record<string, string> } = {}): HookedRun {
  const base = join(dir, `run-${++runs}`);
  const [fakeDir, home, tmp] = [`${base}-fake`, `${base}-home`, `${base}-tmp`];
  for (const folder of [fakeDir, home, tmp]) mkdirSync(folder);
  answers.forEach((answer, i) => {
    if (answer.out !== undefined) writeFileSync(join(fakeDir, `out.${i + 1}`), answer.out);
    if (answer.stderr !== undefined) writeFileSync(join(fakeDir, `err.${i + 1}`), `${answer.stderr}\n`);
    if (answer.status !== undefined) writeFileSync(join(fakeDir, `status.${i + 1}`), String(answer.status));
  });
  const script = [dialect(shell).strict, ...lines].join(`\n`);
  const result = runShell(shell, script, home, {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    TMPDIR: tmp,
    FAKE_DIR: fakeDir,
    FAKE_STDIN: `${base}.stdin`,
    // An interactive fish without a terminal type warns.
    TERM: `dumb`,
    ...options.env,
  }, options.interactive ? [`-i`] : []);
  // bash -i without a terminal says so twice at start; nothing of ours.
  const stderr = result.stderr.replace(/^bash: (cannot set terminal process group .*|no job control in this shell)\n/gm, ``);
  const logFile = join(fakeDir, `log`);
  return {
    ...result,
    stderr,
    calls: parseCalls(existsSync(logFile) ? readFileSync(logFile, `utf8`) : ``),
    stdinSeen: existsSync(`${base}.stdin`) ? readFileSync(`${base}.stdin`, `utf8`) : null,
    home,
    tmp,
  };
}

// Every file under the folders, for a secret that must be in none of them.
export function filesContaining(folders: string[], needle: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    else if (stat.isFile() && readFileSync(path).includes(needle)) found.push(path);
  };
  folders.forEach(walk);
  return found;
}
