import { rmSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type EnvSession, renderEnvLogin, renderEnvLogout } from '../../src/shell/index.js';
import { availableShells } from '../helpers/shells.js';
import { dialect, dir, type FakeAnswer, filesContaining, runHooked } from './hooked.js';

const now = () => Math.floor(Date.now() / 1000);
const HELD = `aws2fa-held-1:eyJzZWNyZXQiOiJub3QtcmVhbCJ9`;
const session = (profile: string, left: number, extra: Partial<EnvSession> = {}): EnvSession => ({
  profile,
  accessKeyId: `ASIA${profile.toUpperCase()}`,
  secretAccessKey: `secret-${profile}`,
  sessionToken: `token-${profile}`,
  expiration: new Date((now() + left) * 1000),
  ...extra,
});
const root = (left: number) => ({ profile: `root`, expiration: new Date((now() + left) * 1000) });

const Hooked = suite(`shell hooks: odd profiles, the prompt, the held root session, exec, renewal`);

for (const shell of availableShells([`bash`, `zsh`, `fish`])) {
  const d = dialect(shell);
  const { kind } = shell;
  const precmd = kind === `fish` ? `emit fish_prompt` : `__aws2fa_precmd`;
  const run = (lines: string[], answers: FakeAnswer[] = [], interactive = false) => runHooked(shell, lines, answers, { interactive });

  Hooked(`${kind}: env login -- -odd-profile reaches the binary with --shell before the user's words`, () => {
    const r = run([d.load, `aws2fa env login -- -prod 123456`, d.status(`st`), d.show(`AWS2FA_PROFILE`)], [{ out: renderEnvLogin(kind, session(`-prod`, 3600)) }]);
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `st=0\nAWS2FA_PROFILE=[-prod]\n`);
    assert.is(r.calls[0]?.argv, `[env][login][--shell][${kind}][--][-prod][123456]`);
  });

  // Expiries as functions: read the clock when the test runs, with half a minute to spare.
  const prompts: [string, string, () => string, string][] = [
    [`control characters are dropped from the profile`, `\x1b]0;pwned\x07\x1b[31mprod\u009b\r\n`, () => String(now() + 2730), `]0;pwned[31mprod 45m`],
    [`an expiry of 26 digits shows nothing and no error`, `prod`, () => `12345678901234567890123456`, ``],
    [`an expiry of 13 digits shows nothing`, `prod`, () => `1234567890123`, ``],
  ];
  for (const [what, profile, expires, expected] of prompts) {
    Hooked(`${kind}: aws2fa_prompt, ${what}`, () => {
      const r = run([d.load, d.set(`AWS2FA_PROFILE`, profile), d.set(`AWS2FA_EXPIRES`, expires()), `aws2fa_prompt`, d.status(`|st`), precmd]);
      assert.is(r.stderr, ``);
      assert.is(r.stdout, `${expected}|st=0\n`);
      assert.is(r.calls.length, 0);
    });
  }

  Hooked(`${kind}: the held root session goes to env login and exec on fd 3, never into the environment, argv or a file; env logout forgets it`, () => {
    const first = renderEnvLogin(kind, session(`admin`, 3600, { held: HELD, root: root(43_000) }));
    const r = run(
      [
        d.load,
        `aws2fa env login admin 123456`,
        `env > ${d.q(`${dir}/env-${kind}`)}; env | grep -c aws2fa-held`,
        `aws2fa env login dev`,
        `aws2fa status`,
        `printf 'typed\\n' | aws2fa exec dev -- cat`,
        d.status(`exec`),
        `aws2fa env logout`,
        `aws2fa env login dev`,
        d.show(`AWS2FA_ROOT_PROFILE`),
      ],
      [
        { out: first, stderr: `This shell has a session of admin` },
        { out: renderEnvLogin(kind, session(`dev`, 3600, { held: HELD, root: root(43_000) })) },
        {},
        { out: `from exec\n`, status: 42 },
        { out: renderEnvLogout(kind) },
        { out: renderEnvLogin(kind, session(`dev`, 3600)) },
      ],
    );
    assert.is(r.stderr, `This shell has a session of admin\n`);
    assert.is(r.stdout, `0\nfrom exec\nexec=42\nAWS2FA_ROOT_PROFILE=unset\n`);
    const calls = r.calls.map(call => [call.argv, call.hook, call.fd, call.held]);
    assert.equal(calls, [
      [`[env][login][--shell][${kind}][admin][123456]`, `1`, ``, null],
      [`[env][login][--shell][${kind}][dev]`, `1`, `3`, HELD],
      [`[status]`, `unset`, `unset`, null],
      [`[exec][dev][--][cat]`, `1`, `3`, HELD],
      [`[env][logout][--shell][${kind}]`, `unset`, `unset`, null],
      [`[env][login][--shell][${kind}][dev]`, `1`, ``, null],
    ]);
    assert.is(r.stdinSeen, `typed\n`, `exec's command owns stdin`);
    assert.ok(r.calls.every(call => !call.leak && !call.argv.includes(HELD)));
    assert.equal(filesContaining([r.home, r.tmp], HELD), []);
  });

  Hooked(`${kind}: renewal before the prompt: the role session near its end is renewed from the held root session, silently, once however often the hook was loaded, $? kept`, () => {
    const near = renderEnvLogin(kind, session(`admin`, 100, { held: HELD, root: root(3600) }));
    const renewed = renderEnvLogin(kind, session(`admin`, 3600, { held: HELD, root: root(3600) }));
    const r = run([d.load, d.load, near, `false`, precmd, d.status(`st`), d.show(`AWS_SESSION_TOKEN`), precmd], [{ out: renewed, stderr: `This shell has a session of admin` }], true);
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `${kind === `fish` ? `st=0` : `st=1`}\nAWS_SESSION_TOKEN=[token-admin]\n`);
    assert.equal(
      r.calls.map(call => [call.argv, call.hook, call.fd, call.held, call.stdin]),
      [[`[env][login][--renew][--shell][${kind}][--][admin]`, `1`, `3`, HELD, `/dev/null`]],
    );
  });

  // Built when the test runs: the expiries are relative to the clock.
  const noRenewal: [string, () => string[]][] = [
    [`more than 5 minutes left`, () => [renderEnvLogin(kind, session(`admin`, 400, { held: HELD, root: root(3600) }))]],
    [`AWS2FA_RENEW=0`, () => [renderEnvLogin(kind, session(`admin`, 100, { held: HELD, root: root(3600) })), d.set(`AWS2FA_RENEW`, `0`)]],
    [`the held root session itself near its end`, () => [renderEnvLogin(kind, session(`admin`, 100, { held: HELD, root: root(200) }))]],
    [`no held root session`, () => [renderEnvLogin(kind, session(`admin`, 100, { root: root(3600) }))]],
  ];
  for (const [what, setup] of noRenewal) {
    Hooked(`${kind}: no renewal with ${what}`, () => {
      const r = run([d.load, ...setup(), precmd, precmd], [], true);
      assert.is(r.stderr, ``);
      assert.equal(r.calls, []);
    });
  }

  Hooked(`${kind}: a failed renewal prints its one line once and keeps the old session`, () => {
    const near = renderEnvLogin(kind, session(`admin`, 100, { held: HELD, root: root(3600) }));
    const r = run([d.load, near, precmd, precmd, d.show(`AWS_SESSION_TOKEN`)], [{ status: 1, stderr: `aws2fa: cannot renew admin: AccessDenied` }], true);
    assert.is(r.stderr, `aws2fa: cannot renew admin: AccessDenied\n`);
    assert.is(r.stdout, `AWS_SESSION_TOKEN=[token-admin]\n`);
    assert.is(r.calls.length, 1);
  });
}

// Loading is as cheap as defining functions: no command can be found, and none is missed.
for (const shell of availableShells([`bash`, `zsh`, `fish`])) {
  const d = dialect(shell);
  Hooked(`${shell.kind}: interactive: loading twice and a prompt without a session start no process`, () => {
    const precmd = shell.kind === `fish` ? `emit fish_prompt` : `__aws2fa_precmd`;
    const prompt = shell.kind === `fish` ? `` : `aws2fa_prompt; ${d.set(`AWS2FA_PROFILE`, `prod`)}; ${d.set(`AWS2FA_EXPIRES`, String(now() + 2730))}; aws2fa_prompt; echo`;
    const r = runHooked(shell, [d.load, d.load, precmd, prompt, d.status(`st`)], [], { interactive: true, env: { PATH: `/nonexistent` } });
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `${shell.kind === `fish` ? `` : `prod 45m\n`}st=0\n`);
  });
}

// Interactive shells only: the hook installs its prompt hook once however often it is loaded.
for (const shell of availableShells([`bash`, `zsh`])) {
  const d = dialect(shell);
  const run = (lines: string[], answers: FakeAnswer[] = [], interactive = false) => runHooked(shell, lines, answers, { interactive });
  Hooked(`${shell.kind}: interactive: the prompt hook is installed once, loading twice`, () => {
    const show = shell.kind === `bash` ? `printf '%s\\n' "$PROMPT_COMMAND"` : `print -rl -- $precmd_functions`;
    const r = run([shell.kind === `bash` ? `PROMPT_COMMAND='history -a'` : ``, d.load, d.load, show], [], true);
    assert.is(r.stderr, ``);
    assert.is(r.stdout, shell.kind === `bash` ? `__aws2fa_precmd;history -a\n` : `__aws2fa_precmd\n`);
  });
}

const zsh = availableShells([`zsh`])[0];
if (zsh) {
  Hooked(`zsh: with prompt_subst a profile like %F{red}%~ is shown as typed, never expanded`, () => {
    const d = dialect(zsh);
    const r = runHooked(zsh, [d.load, `setopt prompt_subst`, d.set(`AWS2FA_PROFILE`, `%F{red}%~$(x)`), d.set(`AWS2FA_EXPIRES`, String(now() + 2730)), `PS1='<$(aws2fa_prompt)>'`, `print -rn -- "\${(%)\${(e)PS1}}"`]);
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `<%F{red}%~$(x) 45m>`);
  });
}

if (zsh) {
  Hooked(`zsh: under warn_create_global the hook creates its globals without a warning`, () => {
    const d = dialect(zsh);
    const near = renderEnvLogin(`zsh`, session(`admin`, 100, { held: HELD, root: root(3600) }));
    const r = runHooked(zsh, [`setopt warn_create_global`, d.load, `aws2fa env login admin`, `__aws2fa_precmd`, `words=(aws2fa login ''); CURRENT=3; compadd() { :; }; __aws2fa_complete_zsh`], [
      { out: near },
      { status: 1, stderr: `aws2fa: cannot renew admin` },
    ]);
    assert.is(r.stderr, `aws2fa: cannot renew admin\n`);
    assert.is(r.calls.length, 3);
  });
}

Hooked.after(() => rmSync(dir, { recursive: true, force: true }));

Hooked.run();
