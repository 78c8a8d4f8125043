import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fish from '../src/shell/fish.js';
import { type EnvSession, renderEnvLogin, renderEnvLogout, type ShellName, shellFromEnv } from '../src/shell/index.js';
import * as posix from '../src/shell/posix.js';
import { availableShells, runShell, type Shell, tempDir } from './helpers/shells.js';

const dir = tempDir(`aws2fa-emitters-`);
const canary = join(dir, `canary`);

// Each of these would run `touch canary`, end a statement or change the value if it were not quoted right.
const HOSTILE = [
  ``, `'`, `''`, `"`, `\\`, `\\'`, `'\\''`, `\\\\'`, `$(touch ${canary})`, `\`touch ${canary}\``, `(touch ${canary})`,
  `; touch ${canary}`, `'; touch ${canary}; '`, `\\'; touch ${canary}; #`, `"; touch ${canary}; "`, `$HOME`, `\${HOME}`,
  `$argv`, `~`, `*`, `{a,b}`, `!!`, `%s%n`, `#not a comment`, `a\nb`, `\n`, `\n\n`, `x\nexport AWS_VAULT=1\n`,
  `end; touch ${canary}`, `\r\n`, `\t`, `\\\n`, `\x01\x07\x1b[31m\x7f`, `é ü 中文 😀 \u2028`, `-e`, `--help`, `-gx`,
  ` leading space`, `trailing space `, `\\x41\\n`, `'$(touch ${canary})'`,
];

// Deterministic "property" inputs: seeded, bounded, from an alphabet of everything a shell treats specially.
function randomValues(count: number, seed: number): string[] {
  const alphabet = [...`'"\\$\`(){};&|<>*?[]!#~%- \n\t\r\x01\x1b\x7faZ0é€😀\u2028`];
  let state = seed;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0; // mulberry32
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 17) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(``),
  );
}

const Units = suite(`shell emitters`);

Units(`POSIX quote keeps every byte literal inside single quotes, a quote as '\\''`, () => {
  assert.is(posix.quote(``), `''`);
  assert.is(posix.quote(`abc`), `'abc'`);
  assert.is(posix.quote(`it's`), `'it'\\''s'`);
  assert.is(posix.quote(`$(x) \`y\` \\ "z"\n`), `'$(x) \`y\` \\ "z"\n'`);
  assert.is(posix.set(`A_1`, `v'`), `export A_1='v'\\'''`);
  assert.is(posix.unset(`_A`), `unset _A`);
});

Units(`fish quote escapes only backslash and quote inside single quotes`, () => {
  assert.is(fish.quote(``), `''`);
  assert.is(fish.quote(`it's`), `'it\\'s'`);
  assert.is(fish.quote(`a\\b`), `'a\\\\b'`);
  assert.is(fish.quote(`\\'`), `'\\\\\\''`);
  assert.is(fish.quote(`$x (y) "z"\n`), `'$x (y) "z"\n'`);
  assert.is(fish.set(`A`, `v`), `set -gx A 'v'`);
  assert.is(fish.unset(`A`), `if set -q -g A; set -e -g A; end`);
});

Units(`no emitter ever writes a double-quoted value`, () => {
  for (const value of HOSTILE) {
    assert.ok(posix.set(`A`, value).startsWith(`export A='`));
    assert.ok(fish.set(`A`, value).startsWith(`set -gx A '`));
  }
});

Units(`invalid variable names and NUL are bugs: plain Error`, () => {
  for (const name of [``, `1A`, `A-B`, `A B`, `A;B`, `Ä`, `A\n`, `$A`]) {
    for (const e of [posix, fish]) {
      assert.throws(() => e.set(name, `v`), (err: unknown) => err instanceof Error && /variable name/.test(String(err)));
      assert.throws(() => e.unset(name), /variable name/);
    }
  }
  assert.throws(() => posix.quote(`a\0b`), /NUL/);
  assert.throws(() => fish.quote(`a\0b`), /NUL/);
});

Units(`shellFromEnv: basename of $SHELL when bash/zsh/fish, else sh`, () => {
  assert.is(shellFromEnv(`/bin/bash`), `bash`);
  assert.is(shellFromEnv(`/usr/local/bin/zsh`), `zsh`);
  assert.is(shellFromEnv(`/opt/homebrew/bin/fish`), `fish`);
  assert.is(shellFromEnv(`fish`), `fish`);
  for (const other of [undefined, ``, `/bin/sh`, `/bin/dash`, `/usr/bin/tcsh`, `/bin/zsh5`]) {
    assert.is(shellFromEnv(other), `sh`, String(other));
  }
});

const SESSION: EnvSession = {
  profile: `prod`,
  accessKeyId: `ASIAEXAMPLE`,
  secretAccessKey: `se/cr+et`,
  sessionToken: `to=ken`,
  expiration: new Date(`2026-11-24T06:12:00.789Z`),
  region: `eu-west-1`,
};

const SAVE_ONCE =
  `if [ -z "\${AWS2FA_SAVED-}" ]; then export AWS2FA_SAVED='1'; ` +
  `if [ "\${AWS_PROFILE+set}" = set ]; then export AWS2FA_SAVED_AWS_PROFILE="$AWS_PROFILE"; fi; ` +
  `if [ "\${AWS_DEFAULT_PROFILE+set}" = set ]; then export AWS2FA_SAVED_AWS_DEFAULT_PROFILE="$AWS_DEFAULT_PROFILE"; fi; ` +
  `if [ -z "\${AWS2FA_REGION-}" ]; then if [ "\${AWS_REGION+set}" = set ]; then export AWS2FA_SAVED_AWS_REGION="$AWS_REGION"; fi; fi; ` +
  `if [ -z "\${AWS2FA_REGION-}" ]; then if [ "\${AWS_DEFAULT_REGION+set}" = set ]; then export AWS2FA_SAVED_AWS_DEFAULT_REGION="$AWS_DEFAULT_REGION"; fi; fi; fi`;
const restoreLine = (name: string) =>
  `if [ "\${AWS2FA_SAVED_${name}+set}" = set ]; then export ${name}="$AWS2FA_SAVED_${name}"; else unset ${name}; fi`;

Units(`env login (POSIX): unsets shadowing variables, exports the session, RFC 3339 without ms, Unix seconds`, () => {
  assert.is(
    renderEnvLogin(`bash`, SESSION),
    [
      SAVE_ONCE,
      `unset AWS_PROFILE`,
      `unset AWS_DEFAULT_PROFILE`,
      `unset AWS_SECURITY_TOKEN`,
      `export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'`,
      `export AWS_SECRET_ACCESS_KEY='se/cr+et'`,
      `export AWS_SESSION_TOKEN='to=ken'`,
      `export AWS_SESSION_EXPIRATION='2026-11-24T06:12:00Z'`,
      `export AWS_CREDENTIAL_EXPIRATION='2026-11-24T06:12:00Z'`,
      `export AWS2FA_PROFILE='prod'`,
      `export AWS2FA_EXPIRES='1795500720'`,
      `export AWS_REGION='eu-west-1'`,
      `export AWS_DEFAULT_REGION='eu-west-1'`,
      `export AWS2FA_REGION='eu-west-1'`,
      `unset AWS2FA_ROOT_PROFILE`,
      `unset AWS2FA_ROOT_EXPIRES`,
      `unset AWS2FA_FILES`,
      ``,
    ].join(`\n`),
  );
  assert.is(renderEnvLogin(`sh`, SESSION), renderEnvLogin(`zsh`, SESSION));
});

Units(`env login without a region puts back the user's region in place of one an earlier env login set, keeps one the user set since`, () => {
  const lines = renderEnvLogin(`sh`, { ...SESSION, region: undefined }).split(`\n`);
  assert.equal(lines.slice(-6), [
    `if [ -n "\${AWS2FA_REGION-}" ]; then ` +
      `if [ "\${AWS_REGION-}" = "\${AWS2FA_REGION-}" ]; then ${restoreLine(`AWS_REGION`)}; fi; ` +
      `if [ "\${AWS_DEFAULT_REGION-}" = "\${AWS2FA_REGION-}" ]; then ${restoreLine(`AWS_DEFAULT_REGION`)}; fi; fi`,
    `unset AWS2FA_REGION`,
    `unset AWS2FA_ROOT_PROFILE`,
    `unset AWS2FA_ROOT_EXPIRES`,
    `unset AWS2FA_FILES`,
    ``,
  ]);
  assert.not.match(lines.join(`\n`), /export AWS_(DEFAULT_)?REGION='/);
});

Units(`env login (fish): set -gx for the session, erasing is silent and never fails`, () => {
  const text = renderEnvLogin(`fish`, SESSION);
  assert.ok(text.startsWith(`if not set -q -g AWS2FA_SAVED; set -gx AWS2FA_SAVED '1'; if set -q -g AWS_PROFILE; set -gx AWS2FA_SAVED_AWS_PROFILE $AWS_PROFILE; end; `));
  assert.match(text, /^if set -q -g AWS_PROFILE; set -e -g AWS_PROFILE; end$/m);
  assert.match(text, /^set -gx AWS2FA_EXPIRES '1795500720'$/m);
  assert.match(text, /^set -gx AWS2FA_REGION 'eu-west-1'$/m);
  assert.ok(text.endsWith(`if set -q -g AWS2FA_ROOT_EXPIRES; set -e -g AWS2FA_ROOT_EXPIRES; end\nif set -q -g AWS2FA_FILES; set -e -g AWS2FA_FILES; end\n`));
});

Units(`env login never sets AWS_VAULT; one statement per line; trailing newline`, () => {
  for (const shell of [`bash`, `zsh`, `fish`, `sh`] as ShellName[]) {
    for (const text of [renderEnvLogin(shell, SESSION), renderEnvLogout(shell)]) {
      assert.not.match(text, /AWS_VAULT/);
      assert.ok(text.endsWith(`\n`));
      assert.not.ok(text.includes(`\n\n`));
    }
    assert.is(renderEnvLogin(shell, SESSION).split(`\n`).length, 18);
  }
});

Units(`env logout unsets the session, the root's and the held one, and restores what the first env login saved`, () => {
  const restored = [`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `AWS_REGION`, `AWS_DEFAULT_REGION`];
  assert.is(
    renderEnvLogout(`bash`),
    [
      ...[`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_SESSION_EXPIRATION`]
        .concat([`AWS_CREDENTIAL_EXPIRATION`, `AWS2FA_PROFILE`, `AWS2FA_EXPIRES`, `AWS2FA_ROOT_PROFILE`, `AWS2FA_ROOT_EXPIRES`, `AWS2FA_FILES`, `__aws2fa_held`])
        .map(name => `unset ${name}`),
      `if [ -n "\${AWS2FA_SAVED-}" ]; then ${restored.map(restoreLine).join(`; `)}; fi`,
      // A session of an older aws2fa (no saving): only a region the login set goes.
      `if [ -z "\${AWS2FA_SAVED-}" ]; then if [ -n "\${AWS2FA_REGION-}" ]; then unset AWS_REGION; unset AWS_DEFAULT_REGION; fi; fi`,
      ...[`AWS2FA_SAVED`, ...restored.map(name => `AWS2FA_SAVED_${name}`), `AWS2FA_REGION`].map(name => `unset ${name}`),
      ``,
    ].join(`\n`),
  );
  assert.match(renderEnvLogout(`fish`), /^if set -q -g AWS2FA_SAVED; if set -q -g AWS2FA_SAVED_AWS_PROFILE; set -gx AWS_PROFILE \$AWS2FA_SAVED_AWS_PROFILE; else; if set -q -g AWS_PROFILE; set -e -g AWS_PROFILE; end; end; /m);
  assert.match(renderEnvLogout(`fish`), /^if set -q -g __aws2fa_held; set -e -g __aws2fa_held; end$/m);
});

Units(`env login with the hook's fields: the held value unexported, also under allexport (zsh: typeset -g, then +x), the root's profile and expiry exported, the files`, () => {
  const hooked = { ...SESSION, held: `aws2fa-held-1:a'b`, root: { profile: `root`, expiration: new Date(`2026-11-24T10:00:00.5Z`) }, files: `{"credentials":"/x"}` };
  const tail = (shell: ShellName) => renderEnvLogin(shell, hooked).split(`\n`).slice(-6);
  const assign = `__aws2fa_held='aws2fa-held-1:a'\\''b'`;
  assert.equal(tail(`bash`), [
    `export AWS2FA_ROOT_PROFILE='root'`,
    `export AWS2FA_ROOT_EXPIRES='1795514400'`,
    `export AWS2FA_FILES='{"credentials":"/x"}'`,
    `unset __aws2fa_held`,
    `case $- in *a*) set +a; ${assign}; set -a ;; *) ${assign} ;; esac`,
    ``,
  ]);
  assert.equal(tail(`zsh`).slice(3), [`typeset -g +x ${assign}`, `typeset -g +x __aws2fa_held`, ``]);
  assert.equal(tail(`fish`).slice(3), [`set -gx AWS2FA_FILES '{"credentials":"/x"}'`, `set -g -u __aws2fa_held 'aws2fa-held-1:a\\'b'`, ``]);
  // Without the hook nothing is held or said about it.
  assert.not.match(renderEnvLogin(`bash`, SESSION), /__aws2fa_held/);
});

Units(`an invalid expiration date is a bug, not a NaN in the output`, () => {
  assert.throws(() => renderEnvLogin(`sh`, { ...SESSION, expiration: new Date(`nope`) }), /valid date/);
});

Units.run();

// ---- the same code evaluated by real shells ----

const emitterOf = (shell: Shell) => (shell.kind === `fish` ? fish : posix);

// Reads each variable back from inside the shell (one file per name, only when set) and, through a child
// process, what the shell exported.
function readBack(shell: Shell, names: string[], out: string): string {
  const e = emitterOf(shell);
  const lines = names.map(name =>
    shell.kind === `fish`
      ? `if set -q ${name}; printf '%s' "$${name}" > ${e.quote(join(out, name))}; end`
      : `if [ "\${${name}+set}" = set ]; then printf '%s' "$${name}" > ${e.quote(join(out, name))}; fi`,
  );
  lines.push(`${e.quote(process.execPath)} -e 'process.stdout.write(JSON.stringify(process.env))' > ${e.quote(join(out, `env.json`))}`);
  return lines.join(`\n`);
}

// Evaluates as users do: POSIX `eval "$(...)"`; fish joins the lines of the substitution like the hook.
function evalFile(shell: Shell, file: string, via: `substitution` | `source`): string {
  const q = emitterOf(shell).quote(file);
  if (via === `source`) return shell.kind === `fish` ? `source ${q}` : `. ${q}`;
  return shell.kind === `fish`
    ? `set -l __code (cat ${q}); or exit 9\nstring join \\n -- $__code | source`
    : `__code="$(cat ${q})"\neval "$__code"`;
}

interface Step {
  code: string;
  expect: Record<string, string | null>; // null: must be unset
}

let runs = 0;
function evaluate(shell: Shell, steps: Step[], via: `substitution` | `source` = `substitution`): void {
  const base = join(dir, `run-${++runs}`);
  const label = `${shell.kind} run ${runs}`;
  mkdirSync(`${base}-home`);
  const outs = steps.map((_, i) => `${base}-${i}-out`);
  const script = [shell.kind === `fish` ? `` : `set -eu`];
  steps.forEach((step, i) => {
    writeFileSync(`${base}-${i}.code`, step.code);
    mkdirSync(outs[i] ?? ``);
    script.push(evalFile(shell, `${base}-${i}.code`, via), readBack(shell, Object.keys(step.expect), outs[i] ?? ``));
  });
  const result = runShell(shell, script.join(`\n`), `${base}-home`);
  const ran = existsSync(canary);
  rmSync(canary, { force: true }); // so that one failure does not fail every later test
  assert.not.ok(ran, `${label}: injected code ran`);
  assert.is(result.stderr, ``, label);
  assert.is(result.status, 0, label);
  steps.forEach((step, i) => {
    const out = outs[i] ?? ``;
    const env = JSON.parse(readFileSync(join(out, `env.json`), `utf8`)) as Record<string, string>;
    for (const [name, value] of Object.entries(step.expect)) {
      const file = join(out, name);
      if (value === null) {
        assert.not.ok(existsSync(file), `${label} step ${i}: ${name} should be unset`);
        assert.is(env[name], undefined, `${label} step ${i}: ${name} should not be exported`);
      } else {
        assert.is(existsSync(file) ? readFileSync(file, `utf8`) : null, value, `${label} step ${i}: ${name}`);
        assert.is(env[name], value, `${label} step ${i}: exported ${name}`);
      }
    }
  });
}

const SHELLS = availableShells([`bash`, `zsh`, `fish`, `sh`]);
const Real = suite(`shell emitters evaluated by real shells`);

function setAll(shell: Shell, values: string[]): Step {
  const e = emitterOf(shell);
  const expect: Record<string, string> = {};
  const code = values.map((value, i) => {
    expect[`V_${i}`] = value;
    return e.set(`V_${i}`, value);
  });
  return { code: `${code.join(`\n`)}\n`, expect };
}

for (const shell of SHELLS) {
  Real(`${shell.kind}: every hostile value reads back exactly and runs nothing (eval of a substitution, and source)`, () => {
    evaluate(shell, [setAll(shell, HOSTILE)], `substitution`);
    evaluate(shell, [setAll(shell, HOSTILE)], `source`);
  });

  Real(`${shell.kind}: 300 seeded random strings from a hostile alphabet read back exactly`, () => {
    evaluate(shell, [setAll(shell, randomValues(300, 0x2fa))]);
  });

  Real(`${shell.kind}: unset removes a variable and is silent and harmless when it is not set`, () => {
    const e = emitterOf(shell);
    evaluate(shell, [{ code: `${e.set(`GONE`, `x`)}\n${e.unset(`GONE`)}\n${e.unset(`NEVER_SET`)}\n`, expect: { GONE: null, NEVER_SET: null } }]);
  });

  Real(`${shell.kind}: env login with hostile session values, then env logout restores the user's profiles and region`, () => {
    const e = emitterOf(shell);
    const hostile = HOSTILE.filter(v => v !== ``);
    const sessions = [0, 1, 2, 3].map(k => ({
      profile: hostile[(k * 5) % hostile.length] ?? ``,
      accessKeyId: hostile[(k * 5 + 1) % hostile.length] ?? ``,
      secretAccessKey: hostile[(k * 5 + 2) % hostile.length] ?? ``,
      sessionToken: hostile[(k * 5 + 3) % hostile.length] ?? ``,
      expiration: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)),
    }));
    const [first, second, third] = sessions as [EnvSession, EnvSession, EnvSession];
    const loggedIn = (s: EnvSession, region: string | null) => ({
      AWS_PROFILE: null,
      AWS_DEFAULT_PROFILE: null,
      AWS_SECURITY_TOKEN: null,
      AWS_VAULT: null,
      AWS_ACCESS_KEY_ID: s.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.secretAccessKey,
      AWS_SESSION_TOKEN: s.sessionToken,
      AWS_SESSION_EXPIRATION: `2030-01-02T03:04:05Z`,
      AWS_CREDENTIAL_EXPIRATION: `2030-01-02T03:04:05Z`,
      AWS2FA_PROFILE: s.profile,
      AWS2FA_EXPIRES: `1893553445`,
      AWS_REGION: region,
    });
    // What env logout leaves: the user's own variables as before the first env login, nothing of aws2fa's.
    const loggedOut = (profile: string | null, region: string | null) => ({
      ...Object.fromEntries(Object.keys(loggedIn(first, null)).map(name => [name, null])),
      ...Object.fromEntries([`AWS2FA_REGION`, `AWS2FA_SAVED`, `AWS2FA_SAVED_AWS_PROFILE`, `AWS2FA_SAVED_AWS_REGION`].map(name => [name, null])),
      AWS_PROFILE: profile,
      AWS_DEFAULT_PROFILE: profile,
      AWS_DEFAULT_REGION: region,
      AWS_REGION: region,
    });
    const userSetup = [`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `AWS_SECURITY_TOKEN`, `AWS_REGION`, `AWS_DEFAULT_REGION`]
      .map(name => e.set(name, name.includes(`REGION`) ? `user-region` : `stale`))
      .join(`\n`);
    evaluate(shell, [
      { code: `${userSetup}\n`, expect: { AWS_PROFILE: `stale`, AWS_REGION: `user-region` } },
      { code: renderEnvLogin(shell.kind, first), expect: { ...loggedIn(first, `user-region`), AWS2FA_REGION: null, AWS2FA_SAVED_AWS_PROFILE: `stale` } },
      { code: renderEnvLogout(shell.kind), expect: loggedOut(`stale`, `user-region`) },
      { code: renderEnvLogin(shell.kind, { ...second, region: `eu-west-1` }), expect: { ...loggedIn(second, `eu-west-1`), AWS_DEFAULT_REGION: `eu-west-1`, AWS2FA_REGION: `eu-west-1` } },
      // No region of its own: the user's comes back in place of the earlier login's.
      { code: renderEnvLogin(shell.kind, third), expect: { ...loggedIn(third, `user-region`), AWS_DEFAULT_REGION: `user-region`, AWS2FA_REGION: null } },
      { code: renderEnvLogin(shell.kind, { ...first, region: `$(touch ${canary})'` }), expect: { AWS_REGION: `$(touch ${canary})'`, AWS2FA_REGION: `$(touch ${canary})'` } },
      { code: renderEnvLogout(shell.kind), expect: loggedOut(`stale`, `user-region`) },
      // Nothing saved any more: a second logout changes nothing of the user's.
      { code: renderEnvLogout(shell.kind), expect: loggedOut(`stale`, `user-region`) },
    ]);
  });
}

for (const shell of SHELLS) {
  const e = emitterOf(shell);
  const prod = { ...SESSION, expiration: new Date(Date.UTC(2030, 0, 2)) };
  const user = (values: Record<string, string | null>) => ({
    code: `${Object.entries(values).map(([name, value]) => (value === null ? e.unset(name) : e.set(name, value))).join(`\n`)}\n`,
    expect: values,
  });
  const RESTORED = [`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `AWS_REGION`, `AWS_DEFAULT_REGION`];
  const ours = Object.fromEntries([`AWS2FA_SAVED`, ...RESTORED.map(name => `AWS2FA_SAVED_${name}`), `AWS2FA_REGION`, `AWS2FA_PROFILE`].map(name => [name, null]));

  Real(`${shell.kind}: env logout after two env logins: unset stays unset`, () => {
    evaluate(shell, [
      { code: renderEnvLogin(shell.kind, prod), expect: { AWS_REGION: `eu-west-1`, AWS2FA_SAVED: `1`, AWS2FA_SAVED_AWS_PROFILE: null } },
      { code: renderEnvLogin(shell.kind, { ...prod, region: `us-west-2` }), expect: { AWS_REGION: `us-west-2` } },
      { code: renderEnvLogout(shell.kind), expect: { ...Object.fromEntries(RESTORED.map(name => [name, null])), ...ours } },
    ]);
  });

  Real(`${shell.kind}: env logout restores what was set before the first env login, also when changed in between`, () => {
    evaluate(shell, [
      user({ AWS_PROFILE: `orig`, AWS_DEFAULT_PROFILE: ``, AWS_REGION: null, AWS_DEFAULT_REGION: `ap-south-1` }),
      { code: renderEnvLogin(shell.kind, prod), expect: { AWS_PROFILE: null, AWS_DEFAULT_PROFILE: null, AWS_DEFAULT_REGION: `eu-west-1` } },
      // The user changes them while the session lasts; a second login keeps the first saving.
      user({ AWS_PROFILE: `other`, AWS_REGION: `sa-east-1` }),
      { code: renderEnvLogin(shell.kind, { ...prod, region: undefined }), expect: { AWS_PROFILE: null, AWS_REGION: `sa-east-1`, AWS_DEFAULT_REGION: `ap-south-1` } },
      { code: renderEnvLogout(shell.kind), expect: { AWS_PROFILE: `orig`, AWS_DEFAULT_PROFILE: ``, AWS_REGION: null, AWS_DEFAULT_REGION: `ap-south-1`, ...ours } },
      // Nothing saved any more: a logout again changes nothing.
      { code: renderEnvLogout(shell.kind), expect: { AWS_PROFILE: `orig`, AWS_DEFAULT_PROFILE: ``, AWS_DEFAULT_REGION: `ap-south-1` } },
    ]);
  });
}

const zsh = SHELLS.find(shell => shell.kind === `zsh`);
if (zsh) {
  Real(`zsh with rc_quotes and sh_word_split set by the user reads the same values`, () => {
    evaluate(zsh, [{ code: `setopt rc_quotes sh_word_split\n`, expect: {} }, setAll(zsh, HOSTILE)]);
  });
}

Real.after(() => rmSync(dir, { recursive: true, force: true }));

Real.run();
