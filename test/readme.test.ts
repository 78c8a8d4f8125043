import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as posix from '../src/shell/posix.js';
import { BINARY } from './helpers/cli.js';
import { availableShells, runShell, tempDir } from './helpers/shells.js';
import { HOOK } from './shell/hooked.js';

// The README is a user's guide whose examples work as written: its contents list leads somewhere, its role
// profiles have a region, its prompt and ~/.zshrc lines do what they say in real bash and zsh, and the material
// for contributors lives in CONTRIBUTING.md and docs/. (Its install command: test/package.test.ts.)

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const README = read('README.md');

// Sections other work adds to the README; their contents entries are checked as soon as the README has them.
const PENDING = new Set(['long-jobs-exec---server', 'the-aws-console', 'rotating-your-access-key']);

// GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped, spaces as `-`.
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (markdown: string) => new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1]!)));

// The code block (```sh, ```fish, ```ini) whose first line is `firstLine`.
function block(markdown: string, firstLine: string): string {
  const found = [...markdown.matchAll(/^```\w*\n([\s\S]*?)^```$/gm)].map((match) => match[1]!).filter((code) => code.startsWith(`${firstLine}\n`));
  assert.is(found.length, 1, `one code block starting with ${firstLine}`);
  return found[0]!;
}

const Readme = suite('README: a user\'s guide whose examples work as written');

Readme('a contents list near the top, each entry leading to a heading (or to a section other work adds)', () => {
  const contents = README.slice(README.indexOf('## Contents\n'), README.indexOf('\n## ', README.indexOf('## Contents\n') + 1));
  assert.ok(README.indexOf('## Contents\n') > 0 && README.indexOf('## Contents\n') < README.indexOf('## Install\n'));
  const anchors = anchorsOf(README);
  const linked = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!);
  assert.ok(linked.length >= 15, `${linked.length} entries`);
  for (const anchor of linked) assert.ok(anchors.has(anchor) || PENDING.has(anchor), `#${anchor} is a heading of the README`);
  // Every section of the README is in the list.
  for (const heading of README.matchAll(/^## (.+)$/gm)) {
    if (heading[1] === 'Contents') continue;
    assert.ok(linked.includes(slug(heading[1]!)), `## ${heading[1]} is not in the README's Contents: list it there (safety notes go to docs/safety.md)`);
  }
});

Readme('links between README.md, CONTRIBUTING.md and docs/safety.md lead to files and headings that exist', () => {
  for (const file of ['README.md', 'CONTRIBUTING.md', 'docs/safety.md']) {
    const text = read(file);
    for (const [, target, anchor] of text.matchAll(/\]\(((?:\.\.\/)?[\w./-]+\.md)(?:#([\w-]+))?\)/g)) {
      const path = join(dirname(join(ROOT, file)), target!);
      assert.ok(existsSync(path), `${file} links to ${target}`);
      if (anchor) assert.ok(anchorsOf(readFileSync(path, 'utf8')).has(anchor), `${file} links to ${target}#${anchor}`);
    }
    for (const [, anchor] of text.matchAll(/\]\(#([\w-]+)\)/g)) {
      assert.ok(anchorsOf(text).has(anchor!) || (file === 'README.md' && PENDING.has(anchor!)), `${file}: #${anchor}`);
    }
  }
  assert.match(README, /\]\(CONTRIBUTING\.md\)/);
  assert.match(README, /\]\(docs\/safety\.md\)/);
});

Readme('contributor material is in CONTRIBUTING.md and docs/safety.md, not in the user\'s guide', () => {
  const contributing = read('CONTRIBUTING.md');
  const safety = read('docs/safety.md');
  for (const heading of ['## Tests', '## How CI runs', '## Speed', '### File conventions']) assert.ok(contributing.includes(`\n${heading}\n`), heading);
  for (const text of ['yes >/dev/null & yes >/dev/null &', 'CI=true bash .ci/run', '| `node -e 0` |', 'Measured and not kept']) {
    assert.ok(contributing.includes(text), text);
    assert.not.ok(README.includes(text), `the README still holds ${text}`);
  }
  for (const text of ['**One run at a time (the lock)**', '**Answers are hostile input.**', '**Bounded input**']) {
    assert.ok(safety.includes(text), text);
    assert.not.ok(README.includes(text), `the README still holds ${text}`);
  }
  assert.not.match(README, /^## (Testing|File conventions)$/m);
});

Readme('every role profile in the README\'s examples has a region', () => {
  let roles = 0;
  for (const [, code] of README.matchAll(/^```ini\n([\s\S]*?)^```$/gm)) {
    for (const section of code!.split(/^(?=\[)/m)) {
      if (!/^role_arn *=/m.test(section)) continue;
      roles += 1;
      assert.match(section, /^region *= *\S/m, `${section.split('\n')[0]} has no region`);
    }
  }
  assert.ok(roles >= 3, `${roles} role profiles`);
});

Readme('zsh: where completion is, the README says it needs compinit', () => {
  const completion = README.slice(README.indexOf('### Completion\n'), README.indexOf('\n### ', README.indexOf('### Completion\n') + 1));
  assert.match(completion, /compinit/);
  assert.match(block(README, '# ~/.zshrc'), /^autoload -Uz compinit && compinit\b/m);
});

// A folder with `aws2fa` on PATH (the built binary), and a HOME, for the shells below.
const dir = tempDir('aws2fa-readme-');
const home = join(dir, 'home');
const bin = join(dir, 'bin');
mkdirSync(home);
mkdirSync(bin);
writeFileSync(join(bin, 'aws2fa'), `#!/bin/sh\nexec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"\n`);
chmodSync(join(bin, 'aws2fa'), 0o755);

const bash = availableShells(['bash'])[0];
if (bash) {
  Readme('bash: the README\'s prompt shows "prod 2h30m ~ $ " with a session and "~ $ " without, no leading space, no code run', () => {
    const prompt = block(README, '# bash (~/.bashrc, after the hook): "prod 11h58m ~/src $ ", and "~/src $ " without a session');
    const expires = Math.floor(Date.now() / 1000) + 2 * 3600 + 30 * 60 + 30;
    const script = [`. ${posix.quote(HOOK.sh)}`, prompt, `printf '[%s]\\n' "\${PS1@P}"`].join('\n');
    const shown = (env: Record<string, string>) => {
      const r = runShell(bash, script, home, env);
      assert.equal([r.status, r.stderr], [0, '']);
      return r.stdout;
    };
    assert.match(shown({}), /^\[~ [$#] \]\n$/);
    // Far from a minute's edge: 2h30m whatever the clock does while the test runs.
    assert.match(shown({ AWS2FA_PROFILE: 'prod', AWS2FA_EXPIRES: String(expires) }), /^\[prod 2h(29|30)m ~ [$#] \]\n$/);
    assert.match(shown({ AWS2FA_PROFILE: '$(touch pwned)`touch pwned`', AWS2FA_EXPIRES: String(expires) }), /^\[\$\(touch pwned\)`touch pwned` 2h\d\dm ~ [$#] \]\n$/);
    assert.not.ok(existsSync(join(home, 'pwned')));
  });
}

const zsh = availableShells(['zsh'])[0];
if (zsh) {
  Readme('zsh: the README\'s ~/.zshrc lines give tab completion (compinit, then the hook)', () => {
    const zshrc = block(README, '# ~/.zshrc');
    const r = runShell(zsh, `${zshrc}\nprint -r -- "\${_comps[aws2fa]-none}"`, home, { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` });
    assert.equal([r.status, r.stderr, r.stdout], [0, '', '__aws2fa_complete_zsh\n']);
  });
}

Readme.run();
