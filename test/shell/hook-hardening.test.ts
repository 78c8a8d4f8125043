// The hooks keep the held root session inside the shell whatever the user's options (allexport, xtrace,
// fish_trace), hand the binary a single copy of its pipe, work inside $(…) as the binary does, keep messages on
// stderr, and show time left rounded down. Against the recording fake binary (hooked.ts); the real binary and
// renewal's bounds are in test/roles/hook-renewal.test.ts.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type EnvSession, renderEnvLogin } from '../../src/shell/index.js';
import { availableShells } from '../helpers/shells.js';
import { dialect, type FakeAnswer, runHooked } from './hooked.js';

const now = () => Math.floor(Date.now() / 1000);
const HELD = `aws2fa-held-1:eyJzZWNyZXQiOiJmaXJzdCJ9`;
const RENEWED_HELD = `aws2fa-held-1:eyJzZWNyZXQiOiJzZWNvbmQifQ`;
const session = (profile: string, left: number, extra: Partial<EnvSession> = {}): EnvSession => ({
  profile,
  accessKeyId: `ASIA${profile.toUpperCase()}`,
  secretAccessKey: `secret-${profile}`,
  sessionToken: `token-${profile}`,
  expiration: new Date((now() + left) * 1000),
  ...extra,
});
const root = (left: number) => ({ profile: `root`, expiration: new Date((now() + left) * 1000) });
const SECRETS = [`aws2fa-held-1:`, `secret-admin`, `token-admin`, `secret-renewed`, `token-renewed`, `secret-dev`, `token-dev`];

const Hardened = suite(`shell hooks, hardened: allexport, tracing, one pipe, $(…), stderr, rounding`);

for (const shell of availableShells([`bash`, `zsh`, `fish`])) {
  const d = dialect(shell);
  const { kind } = shell;
  const fish = kind === `fish`;
  const precmd = fish ? `emit fish_prompt` : `__aws2fa_precmd`;
  const run = (lines: string[], answers: FakeAnswer[] = [], interactive = false) => runHooked(shell, lines, answers, { interactive });
  // A role session about to expire (the prompt renews it), and what the renewal gives.
  const nearLogin = { out: renderEnvLogin(kind, session(`admin`, 100, { held: HELD, root: root(43_000) })) };
  const renewal = { out: renderEnvLogin(kind, { ...session(`renewed`, 3600, { held: RENEWED_HELD, root: root(43_000) }), profile: `admin` }) };
  const exported = `env | grep -c aws2fa-held`;

  if (!fish) {
    const allexport = kind === `bash` ? `set -a` : `setopt allexport`;
    const stillOn = kind === `bash` ? `case $- in *a*) echo allexport=on ;; esac` : `[[ -o allexport ]] && echo allexport=on`;
    Hardened(`${kind}: with ${allexport} the held root session is in no child's environment, after env login and after a renewal; allexport stays on`, () => {
      const r = run([d.load, allexport, `aws2fa env login admin 123456`, exported, precmd, exported, `printf 'held=%s\\n' "$__aws2fa_held"`, stillOn], [nearLogin, renewal], true);
      assert.is(r.stderr, ``);
      assert.is(r.stdout, `0\n0\nheld=${RENEWED_HELD}\nallexport=on\n`);
      assert.equal(r.calls.map((call) => call.leak), [false, false]);
      assert.is(r.calls[1]!.argv, `[env][login][--renew][--shell][${kind}][--][admin]`);
    });
  } else {
    Hardened(`fish: the held root session is set -g, never exported: in no child's environment after env login and after a renewal`, () => {
      const r = run([d.load, `aws2fa env login admin 123456`, exported, precmd, exported, `printf 'held=%s\\n' "$__aws2fa_held"`, `set -q -x __aws2fa_held; or echo unexported`], [nearLogin, renewal], true);
      assert.is(r.stderr, ``);
      assert.is(r.stdout, `0\n0\nheld=${RENEWED_HELD}\nunexported\n`);
    });
  }

  const trace = {
    bash: { on: [`exec 7>"$HOME/trace"`, `BASH_XTRACEFD=7`, `set -x`], off: `set +x`, file: true },
    zsh: { on: [`setopt xtrace`], off: `unsetopt xtrace`, file: false },
    fish: { on: [`set -g fish_trace 1`], off: `set -e fish_trace`, file: false },
    sh: { on: [], off: ``, file: false },
  }[kind];
  Hardened(`${kind}: traced (${trace.on.join('; ')}), env login, exec and a renewal through the hook print no secret; tracing stays on`, () => {
    const r = run(
      [d.load, ...trace.on, `aws2fa env login admin 123456`, `aws2fa exec dev -- true`, precmd, `echo still-traced`, trace.off, `printf 'held=%s\\n' "$__aws2fa_held"`],
      [nearLogin, {}, renewal],
      true,
    );
    const traced = trace.file ? readFileSync(`${r.home}/trace`, `utf8`) : r.stderr;
    assert.match(traced, /still-traced/, `tracing was put back on: ${traced}`);
    for (const secret of SECRETS) assert.not.ok(traced.includes(secret), `${secret} in the trace:\n${traced}`);
    assert.match(r.stdout, new RegExp(`held=${RENEWED_HELD}\\n$`), `renewed: ${r.stdout}`);
    assert.equal(r.calls.map((call) => call.held), [null, HELD, HELD]);
  });

  Hardened(`${kind}: the binary gets the held session's pipe once, on 3: no other copy of it (bash's /dev/fd/63)`, () => {
    const r = run([d.load, `aws2fa env login admin 123456`, `aws2fa exec dev -- true`, `aws2fa env login dev`], [nearLogin, {}, { out: renderEnvLogin(kind, session(`dev`, 3600)) }]);
    assert.is(r.stderr, ``);
    assert.equal(r.calls.map((call) => [call.held, call.pipes]), [[null, ``], [HELD, ``], [HELD, ``]]);
  });

  if (!fish) {
    Hardened(`${kind}: eval "$(aws2fa env login …)" with the hook loaded gives this shell the session and holds the root's; eval "$(aws2fa env logout)" ends it`, () => {
      const r = run(
        [
          d.load,
          `eval "$(aws2fa env login admin 123456)"`,
          d.status(`login`),
          d.show(`AWS2FA_PROFILE`),
          `printf 'held=%s\\n' "$__aws2fa_held"`,
          exported,
          `aws2fa env login dev`,
          d.show(`AWS2FA_PROFILE`),
          `eval "$(aws2fa env logout)"`,
          d.show(`AWS2FA_PROFILE`),
        ],
        [{ ...nearLogin, stderr: `This shell has a session of admin` }, { out: renderEnvLogin(kind, session(`dev`, 3600)) }, { out: `unset AWS2FA_PROFILE\n` }],
      );
      assert.is(r.stderr, `This shell has a session of admin\n`);
      assert.is(r.stdout, `login=0\nAWS2FA_PROFILE=[admin]\nheld=${HELD}\n0\nAWS2FA_PROFILE=[dev]\nAWS2FA_PROFILE=unset\n`);
      assert.equal(r.calls.map((call) => [call.argv, call.held]), [
        [`[env][login][--shell][${kind}][admin][123456]`, null],
        [`[env][login][--shell][${kind}][dev]`, HELD],
        [`[env][logout][--shell][${kind}]`, null],
      ]);
    });

    Hardened(`${kind}: inside $(…) a failed env login prints nothing and passes its status on`, () => {
      const r = run([d.load, `out="$(aws2fa env login admin 123456)"`, d.status(`st`), `printf 'out=[%s]\\n' "$out"`], [{ status: 2, stderr: `aws2fa: nope` }]);
      assert.is(r.stderr, `aws2fa: nope\n`);
      assert.is(r.stdout, `st=2\nout=[]\n`);
    });
  } else {
    Hardened(`fish: eval (aws2fa env login …) and aws2fa env login … | source with the hook loaded give this shell the session`, () => {
      const r = run(
        [d.load, `eval (aws2fa env login admin 123456)`, d.status(`eval`), d.show(`AWS2FA_PROFILE`), `aws2fa env login dev 123456 | source`, d.show(`AWS2FA_PROFILE`), `printf 'held=%s\\n' "$__aws2fa_held"`],
        [nearLogin, { out: renderEnvLogin(kind, session(`dev`, 3600, { held: RENEWED_HELD })) }],
      );
      assert.is(r.stderr, ``);
      assert.is(r.stdout, `eval=0\nAWS2FA_PROFILE=[admin]\nAWS2FA_PROFILE=[dev]\nheld=${RENEWED_HELD}\n`);
    });
  }

  Hardened(`${kind}: aws2fa env login … 2>/dev/null is silent, whether it works or fails`, () => {
    const r = run(
      [d.load, `aws2fa env login admin 123456 2>/dev/null`, `aws2fa env login admin 123456 2>/dev/null`, d.status(`st`), `aws2fa env logout 2>/dev/null`],
      [{ ...nearLogin, stderr: `This shell has a session of admin` }, { status: 1, stderr: `aws2fa: refused` }, { out: fish ? `set -e AWS2FA_PROFILE\n` : `unset AWS2FA_PROFILE\n`, stderr: `aws2fa: logged out` }],
    );
    assert.is(r.stdout, `st=1\n`);
    assert.is(r.stderr, ``);
  });

  // The clock is the shell's own, set: EPOCHSECONDS unset of its magic in bash, a plain one in zsh (the module
  // not loaded), a `date` function in fish.
  const clock = { bash: `unset EPOCHSECONDS; EPOCHSECONDS=1000000`, zsh: `EPOCHSECONDS=1000000`, fish: `function date; echo 1000000; end`, sh: `` }[kind];
  const rounding: [number, string][] = [
    [43_199, `11h59m`],
    [3600, `1h00m`],
    [3599, `59m`],
    [900, `15m`],
    [899, `14m!`],
    [59, `0m!`],
  ];
  Hardened(`${kind}: aws2fa_prompt rounds time left down to the minute, as the binary's messages and status do`, () => {
    const r = run([d.load, clock, d.set(`AWS2FA_PROFILE`, `prod`), ...rounding.flatMap(([left]) => [d.set(`AWS2FA_EXPIRES`, String(1_000_000 + left)), `aws2fa_prompt`, `echo`])]);
    assert.is(r.stderr, ``);
    assert.is(r.stdout, rounding.map(([, shown]) => `prod ${shown}\n`).join(``));
    assert.is(r.calls.length, 0);
  });

  Hardened(`${kind}: aws2fa_prompt drops a UTF-8 C1 control (CSI) also when the profile holds an invalid byte, and starts no process`, () => {
    const name = fish ? `set -gx AWS2FA_PROFILE (printf 'a\\302\\23331mb\\377c\\001d')` : `AWS2FA_PROFILE=$(printf 'a\\302\\23331mb\\377c\\001d')`;
    const r = run([d.load, clock, name, d.set(`AWS2FA_EXPIRES`, String(1_000_000 + 2730)), d.set(`PATH`, `/nonexistent`), `aws2fa_prompt`, `echo`]);
    assert.is(r.stderr, ``);
    assert.is(r.stdout, fish ? `a31mb\ufffdcd 45m\n` : `a31mb\ufffdcd 45m\n`);
  });

  Hardened(`${kind}: a failed renewal prints its line and is tried again only when the remembered failure is a minute old`, () => {
    const failed = kind === `fish` ? `set -g __aws2fa_renew_failed (math (date +%s) - 61)` : `__aws2fa_renew_failed=$(( $(date +%s) - 61 ))`;
    const r = run([d.load, `aws2fa env login admin 123456`, precmd, precmd, failed, precmd, `echo "left=$AWS2FA_PROFILE"`], [nearLogin, { status: 1, stderr: `aws2fa: refused` }, { status: 1, stderr: `aws2fa: still refused` }], true);
    assert.is(r.stderr, `aws2fa: refused\naws2fa: still refused\n`);
    assert.is(r.stdout, `left=admin\n`);
    assert.is(r.calls.length, 3);
  });
}

Hardened.run();
