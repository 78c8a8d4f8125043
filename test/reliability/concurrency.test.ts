import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyLogin, applyLogout, backupSectionFor, holdsSession } from '../../src/store/credentials.js';
import { findSection, joinLines, optionValue, parseIni, type IniDocument } from '../../src/store/ini.js';
import { lockPathFor } from '../../src/store/lock.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, runBinaryGuarded } from '../helpers/processes.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 6, fault 3: 16 logins and logouts at once, of the same and of different profiles, as real processes.
// The lock makes them take turns, so the end state must be one that running them one by one could give.
const Concurrent = suite<{ world: World }>('reliability: 16 concurrent logins and logouts end in a state a sequence could give');

interface Member {
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
  mfaSerial: string;
  code: string;
}

const TEAM: Member[] = [
  { profile: 'prod', ...ALICE },
  { profile: 'a', accessKeyId: 'AKIAPROFILEA00000001', secretAccessKey: 'a/secret+A=0000000000000000000000000001', mfaSerial: 'arn:aws:iam::123456789012:mfa/a', code: '111111' },
  { profile: 'b.dotted', accessKeyId: 'AKIAPROFILEB00000002', secretAccessKey: 'b/secret+B=0000000000000000000000000002', mfaSerial: 'arn:aws:iam::123456789012:mfa/b', code: '222222' },
  { profile: 'c with space', accessKeyId: 'AKIAPROFILEC00000003', secretAccessKey: 'c/secret+C=0000000000000000000000000003', mfaSerial: 'arn:aws:iam::123456789012:mfa/c', code: '333333' },
];

const CREDENTIALS = [
  STANDARD_CREDENTIALS.trimEnd(),
  '',
  ...TEAM.slice(1).flatMap((member) => [`# ${member.profile}`, `[${member.profile}]`, `aws_access_key_id = ${member.accessKeyId}`, `aws_secret_access_key = ${member.secretAccessKey}`, 'region = eu-central-1', '']),
].join('\n');

const CONFIG = TEAM.map((member) => `[${member.profile === 'prod' ? 'profile prod' : `profile "${member.profile}"`}]\nmfa_serial = ${member.mfaSerial}\n`).join('\n');

Concurrent.before.each(async (context) => {
  context.world = await makeWorld({ credentials: CREDENTIALS, config: CONFIG });
  for (const member of TEAM.slice(1)) context.world.fake.addUser(member);
});
Concurrent.after.each(async (context) => {
  await context.world.remove();
});

type Op = ['login' | 'logout', Member];
const byName = (name: string) => TEAM.find((member) => member.profile === name)!;
const op = (verb: 'login' | 'logout', name: string): Op => [verb, byName(name)];

// prod: 6 ops on one profile; a: logins only; b.dotted and c with space: both kinds.
const ROUNDS: Op[][] = [
  [
    op('login', 'prod'), op('login', 'prod'), op('logout', 'prod'), op('login', 'prod'), op('logout', 'prod'), op('login', 'prod'),
    op('login', 'a'), op('login', 'a'), op('login', 'a'),
    op('login', 'b.dotted'), op('logout', 'b.dotted'), op('login', 'b.dotted'), op('logout', 'b.dotted'),
    op('logout', 'c with space'), op('logout', 'c with space'), op('login', 'c with space'),
  ],
  [
    op('logout', 'prod'), op('logout', 'prod'), op('login', 'prod'), op('logout', 'prod'),
    op('logout', 'a'), op('login', 'a'), op('logout', 'a'), op('logout', 'a'),
    op('login', 'b.dotted'), op('login', 'b.dotted'), op('login', 'b.dotted'), op('login', 'b.dotted'),
    op('login', 'c with space'), op('logout', 'c with space'), op('login', 'c with space'), op('logout', 'c with space'),
  ],
];

// Per profile, a sequence's end state depends only on its last step; edits of different profiles commute. So the
// file must equal the start with each profile put into the state the file shows, from the session it shows.
function expectedFile(start: IniDocument, finalText: string, world: World): string {
  const final = parseIni(finalText, world.credentials);
  let expected = start;
  for (const member of TEAM) {
    const loggedOut = applyLogout(expected, member.profile) ?? expected;
    const token = optionValue(findSection(final, member.profile), 'aws_session_token');
    if (token === undefined) {
      expected = loggedOut;
      continue;
    }
    const session = world.fake.issued.find((issued) => issued.sessionToken === token);
    assert.ok(session, `[${member.profile}] holds a session STS never issued`);
    assert.is(session!.user.accessKeyId, member.accessKeyId, `[${member.profile}] holds another profile's session`);
    expected = applyLogin(loggedOut, member.profile, session!, world.credentials);
  }
  return joinLines(expected);
}

async function runRound(world: World, ops: Op[]): Promise<void> {
  const start = parseIni(await world.read(world.credentials), world.credentials);
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const results = await Promise.all(
    ops.map(([verb, member]) => runBinaryGuarded(verb === 'login' ? ['login', member.profile, member.code] : ['logout', member.profile], env)),
  );
  results.forEach((result, index) => {
    const [verb, member] = ops[index]!;
    assert.is(result.status, 0, `${verb} ${member.profile}: ${result.stderr}`);
    assert.match(result.stdout, verb === 'login' ? /^Logged in / : /^(Logged out|.* is not logged in)/);
  });
  const text = await world.read(world.credentials);
  const doc = parseIni(text, world.credentials);
  for (const member of TEAM) {
    const loggedIn = holdsSession(findSection(doc, member.profile));
    const backups = text.split(`[${backupSectionFor(member.profile)}]`).length - 1;
    assert.is(backups, loggedIn ? 1 : 0, `${member.profile}: one backup while logged in, none after logout`);
    const kinds = new Set(ops.filter(([, m]) => m === member).map(([verb]) => verb));
    if (kinds.size === 1 && kinds.has('login')) assert.ok(loggedIn, `${member.profile} had only logins`);
    if (kinds.size === 1 && kinds.has('logout')) assert.not.ok(loggedIn, `${member.profile} had only logouts`);
  }
  assert.is(text, expectedFile(start, text, world), 'the file is the start with each profile in its end state, nothing else');
  assert.equal(await leftovers(world.aws), [], 'no lock or temporary file left');
}

async function logOutEveryone(world: World): Promise<void> {
  for (const member of TEAM) assert.is((await world.aws2fa(['logout', member.profile])).status, 0);
  assert.is(await world.read(world.credentials), CREDENTIALS, 'after logging everyone out, the original file byte for byte');
}

Concurrent('two rounds of 16 concurrent runs over 4 profiles: a sequential end state, one backup each, no lost section', async ({ world }) => {
  for (const ops of ROUNDS) await runRound(world, ops);
  await logOutEveryone(world);
});

// Two runs that both find a dead run's lock must not both take it over: the second would remove the lock the
// first had just taken, and both would write.
Concurrent('16 concurrent runs that all find the stale lock of a killed run: still one at a time, nothing lost', async ({ world }) => {
  for (const ops of ROUNDS) {
    const deadPid = spawnSync('true').pid;
    await writeFile(lockPathFor(world.credentials), `${deadPid}\n`, { mode: 0o600 });
    await runRound(world, ops);
  }
  await logOutEveryone(world);
});

Concurrent.run();
