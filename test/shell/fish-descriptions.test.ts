import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fish from '../../src/shell/fish.js';
import * as posix from '../../src/shell/posix.js';
import { BINARY } from '../helpers/cli.js';
import { availableShells, runShell, tempDir } from '../helpers/shells.js';
import { HOOK } from './hooked.js';

// fish shows what each completion means beside it: commands, options and profiles, in real fish with the real
// binary listing the profiles (`complete -C` prints `word<TAB>description`).

const dir = tempDir(`aws2fa-fish-descriptions-`);
const home = join(dir, `home`);
const bin = join(dir, `bin`);
mkdirSync(home);
mkdirSync(bin);
writeFileSync(join(bin, `aws2fa`), `#!/bin/sh\nexec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"\n`);
chmodSync(join(bin, `aws2fa`), 0o755);
const credentials = join(dir, `creds`);
const config = join(dir, `conf`);
writeFileSync(credentials, `[prod]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = SECRETSECRET\n[prod::source-profile]\naws_access_key_id = AKIAOLD\n[a b]\naws_access_key_id = AKIA2\n`);
writeFileSync(config, `[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = prod\nregion = eu-west-1\n`);

const Descriptions = suite(`fish completion: every command, option and profile offered comes with a description`);

const shell = availableShells([`fish`])[0];

// `complete -C LINE` in fish with the hook loaded: each offered word and its description.
function offered(line: string): Map<string, string> {
  const r = runShell(shell!, `source ${fish.quote(HOOK.fish)}; complete -C ${fish.quote(line)}`, home, {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
  });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, ``);
  assert.not.match(r.stdout, /SECRET/);
  const words = new Map<string, string>();
  for (const row of r.stdout.split(`\n`).filter(Boolean)) {
    const [word, description = ``] = row.split(`\t`);
    words.set(word!, description);
  }
  return words;
}

function assertAllDescribed(line: string): Map<string, string> {
  const words = offered(line);
  assert.ok(words.size > 0, `${line}: something is offered`);
  const bare = [...words].filter(([, description]) => description === ``).map(([word]) => word);
  assert.equal(bare, [], `${JSON.stringify(line)} offers words without a description (add them to __aws2fa_describe in shell/aws2fa.fish)`);
  return words;
}

if (shell) {
  Descriptions(`the first word: commands say what they do, profiles say "profile"`, () => {
    const words = assertAllDescribed(`aws2fa `);
    assert.is(words.get(`login`), `MFA session into the credentials file`);
    assert.is(words.get(`env`), `login/logout for this shell only`);
    assert.is(words.get(`status`), `every profile's session and time left`);
    for (const profile of [`prod`, `a b`, `admin`]) assert.is(words.get(profile), `profile`, profile);
    assert.not.ok(words.has(`prod::source-profile`));
  });

  Descriptions(`after env and mfa, login and logout say what they mean there`, () => {
    assert.equal([...assertAllDescribed(`aws2fa env `)], [[`login`, `session for this shell only`], [`logout`, `end this shell's session`]]);
    assert.equal([...assertAllDescribed(`aws2fa mfa `)], [[`login`, `same as aws2fa login`], [`logout`, `same as aws2fa logout`]]);
  });

  Descriptions(`the shells: a hook after init, a syntax after --shell`, () => {
    assert.is(assertAllDescribed(`aws2fa init `).get(`zsh`), `hook for zsh`);
    const syntax = assertAllDescribed(`aws2fa env login --shell `);
    assert.is(syntax.get(`fish`), `fish syntax`);
    assert.is(syntax.get(`sh`), `POSIX sh syntax`);
  });

  for (const line of [`aws2fa --`, `aws2fa login --`, `aws2fa logout --`, `aws2fa status --`, `aws2fa env login --`, `aws2fa env logout --`, `aws2fa exec --`, `aws2fa mfa login --`]) {
    Descriptions(`every option of ${JSON.stringify(line.slice(`aws2fa `.length, -2).trim() || `aws2fa`)} has a description`, () => {
      const words = assertAllDescribed(line);
      assert.ok(words.has(`--help`));
    });
  }

  Descriptions(`profile positions: every profile, role profiles too, described; never an error or a secret`, () => {
    assert.equal(Object.fromEntries(assertAllDescribed(`aws2fa env login `)), { prod: `profile`, 'a b': `profile`, admin: `profile` });
  });
}

Descriptions.run();
