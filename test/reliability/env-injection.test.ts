import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { makeHome, type TempHome } from '../helpers/home.js';
import { runBinaryGuarded, seededRandom } from '../helpers/processes.js';
import { availableShells, runShellAsync, type Shell } from '../helpers/shells.js';

// Issue 6, security: whatever the profile name, the profile's region or the values STS sends, the code the built
// binary prints for `eval "$(aws2fa env login …)"` gives the shell exactly those values and runs nothing: real
// bash, zsh, dash and fish, over generated strings (seeded: the seed is in the test name).
const Injection = suite<{ home: TempHome; sts: HostileSts }>('reliability: env-mode output runs no injected code in bash, zsh, sh or fish');

const SEED = Number(process.env.AWS2FA_TEST_SEED ?? Date.now() % 1_000_000);
const CASES = 14;

interface Case {
  profile: string;
  region: string;
  accessKeyId: string; // the long-term key, which tells the fake which answer to give
  answer: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

// A stand-in STS that answers GetSessionToken with whatever the case says, XML-escaped as character references.
interface HostileSts {
  url: string;
  cases: Map<string, Case>;
  server: Server;
}

// Markup characters and control characters as references; the rest as UTF-8 (the SDK's XML parser drops a
// reference to a character beyond the BMP, which real STS answers never hold).
const xml = (text: string) => text.replace(/[&<>"'\u0000-\u001f\u007f]/g, (c) => `&#${c.charCodeAt(0)};`);

async function startHostileSts(): Promise<HostileSts> {
  const cases = new Map<string, Case>();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const key = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const answer = cases.get(key)?.answer;
      if (!answer) {
        response.writeHead(403).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>` +
          `<SessionToken>${xml(answer.sessionToken)}</SessionToken><SecretAccessKey>${xml(answer.secretAccessKey)}</SecretAccessKey>` +
          `<Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration><AccessKeyId>${xml(answer.accessKeyId)}</AccessKeyId>` +
          `</Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetSessionTokenResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, cases, server };
}

Injection.before.each(async (context) => {
  context.home = await makeHome();
  context.sts = await startHostileSts();
});
Injection.after.each(async (context) => {
  context.sts.server.closeAllConnections();
  context.sts.server.close();
  await context.home.remove();
});

// Each piece is special to at least one shell; PWN is the canary file any executed payload would create.
const PIECES = [
  `'`, `"`, `$`, '`', `\\`, `$(touch PWN)`, '`touch PWN`', `(touch PWN)`, `;touch PWN;`, `'; touch PWN; '`, `\\'; touch PWN; #`,
  `>PWN`, `|touch PWN`, `&& touch PWN`, `\${IFS}`, `$HOME`, `{a,b}`, `*`, `?`, `~`, `!!`, `#`, `%s%n`, ` `, `\t`, `\x01`, `\x1b[31m`,
  `\x7f`, `é`, `😀`, `\u2028`, `end; touch PWN`, `$argv`, `-e`, `a`, `Z`, `0`,
];
// Only STS answers can carry line breaks: a name or a value in an INI file is one line.
const STS_ONLY = [`\n`, `\r`, `\nexport AWS_VAULT=1\n`, `\\\n`];

// STS answers are checked before use (src/aws/session-answer.ts): a key id other than ASIA/AKIA + 16 capitals or
// digits, or a secret or token that is not printable ASCII without spaces, is refused. Most cases stay within
// that (quotes, `$`, backticks are all printable) so that they reach the shells; the rest must be refused.
const PRINTABLE = /^[\x21-\x7e]+$/;
const PRINTABLE_PIECES = PIECES.filter((piece) => PRINTABLE.test(piece));
const stsRefuses = (answer: Case['answer']) =>
  !/^A(?:SI|KI)A[A-Z0-9]{16}$/.test(answer.accessKeyId) || !PRINTABLE.test(answer.secretAccessKey) || !PRINTABLE.test(answer.sessionToken);

function generate(random: () => number, pieces: string[], most: number): string {
  return Array.from({ length: 1 + Math.floor(random() * most) }, () => pieces[Math.floor(random() * pieces.length)]!).join('');
}

function makeCases(random: () => number): Case[] {
  const fixed: Case = {
    profile: `it's $(touch PWN) \`touch PWN\``,
    region: `eu-west-1'; touch PWN; '`,
    accessKeyId: 'AKIAFIXED00000000000',
    answer: { accessKeyId: 'ASIAFIXED00000000000', secretAccessKey: `s\\'"\`touch\${IFS}PWN\``, sessionToken: `t$(touch\${IFS}PWN)(touch\${IFS}PWN)` },
  };
  const generated = Array.from({ length: CASES }, (_, i): Case => {
    // Unique, never ending in ::source-profile, never starting with - (it would be read as an option).
    const profile = `p${generate(random, PIECES, 8)}#${i}`;
    const hostile = random() < 0.3;
    const withLines = hostile ? [...PIECES, ...STS_ONLY] : PRINTABLE_PIECES;
    return {
      profile,
      region: generate(random, PIECES, 6).trim() || 'x', // values are read trimmed, as botocore does
      accessKeyId: `AKIACASE${String(i).padStart(12, '0')}`,
      // Real keys begin and end with a letter; the SDK's XML parser trims blanks at the ends of a value.
      answer: {
        accessKeyId: hostile ? `A${generate(random, withLines, 4)}Z` : `ASIA${String(i).padStart(16, '0')}`,
        secretAccessKey: `S${generate(random, withLines, 6)}Z`,
        sessionToken: `T${generate(random, withLines, 10)}Z`,
      },
    };
  });
  return [fixed, ...generated];
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\0').filter(Boolean).map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

async function evaluate(shell: Shell, code: string, dir: string): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'code'), code);
  const script = shell.kind === 'fish' ? `source code; and env -0 > dump` : `eval "$(cat code)" && env -0 > dump`;
  const result = await runShellAsync(shell, script, dir);
  assert.is(result.status, 0, `${shell.kind}: ${result.stderr}`);
  // fish makes its own ~/.config and ~/.local; anything else would be the work of a payload.
  const created = (await readdir(dir)).filter((name) => !['.config', '.local'].includes(name)).sort();
  assert.equal(created, ['code', 'dump'], `${shell.kind}: nothing but the dump was created (no PWN)`);
  return parseEnv(await readFile(join(dir, 'dump'), 'utf8'));
}

const shells = availableShells(['bash', 'zsh', 'sh', 'fish']);

Injection(`hostile profile names, regions and STS answers (seed ${SEED}): exact values in every shell, nothing run`, async ({ home, sts }) => {
  const cases = makeCases(seededRandom(SEED));
  for (const item of cases) sts.cases.set(item.accessKeyId, item);
  await home.writeCredentials(cases.map((item) => `[${item.profile}]\naws_access_key_id = ${item.accessKeyId}\naws_secret_access_key = x\nregion = ${item.region}\n`).join('\n'));
  const env = cleanEnv(home.home, { AWS_ENDPOINT_URL: sts.url });
  let refused = 0;
  for (const [index, item] of cases.entries()) {
    const label = `case ${index} ${JSON.stringify(item)}`;
    const syntaxes = [...new Set(shells.map((shell) => (shell.kind === 'fish' ? 'fish' : 'sh')))];
    for (const syntax of syntaxes) {
      const argv = ['env', 'login', item.profile, '123456', '--serial', 'arn:aws:iam::123456789012:mfa/x', '--region', 'us-east-1', '--shell', syntax];
      const result = await runBinaryGuarded(argv, env);
      if (stsRefuses(item.answer)) {
        // Refused outright: one line, empty stdout, so eval does nothing.
        assert.equal([result.status, result.stdout], [1, ''], `${label}: ${result.stderr}`);
        assert.match(result.stderr, /^aws2fa: STS at \S+ answered with .*; refusing it, nothing was written: try again, and check AWS_ENDPOINT_URL\n$/, label);
        refused += 1;
        continue;
      }
      assert.is(result.status, 0, `${label}: ${result.stderr}`);
      for (const shell of shells.filter((candidate) => (candidate.kind === 'fish') === (syntax === 'fish'))) {
        const got = await evaluate(shell, result.stdout, join(home.home, 'eval', `${index}-${shell.kind}`));
        assert.equal(
          [got.AWS2FA_PROFILE, got.AWS_REGION, got.AWS_ACCESS_KEY_ID, got.AWS_SECRET_ACCESS_KEY, got.AWS_SESSION_TOKEN],
          [item.profile, item.region, item.answer.accessKeyId, item.answer.secretAccessKey, item.answer.sessionToken],
          `${shell.kind}, ${label}`,
        );
      }
    }
  }
  assert.ok(refused < cases.length * 2, 'most cases reach the shells');
});

Injection.run();
