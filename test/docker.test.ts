import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dockerLogin, dockerLogout, failureReason, findDockerClient } from '../src/docker.js';
import { BadInputError, DockerError } from '../src/errors.js';
import { makeFakeDocker, pathWith } from './helpers/fake-docker.js';

const Docker = suite('docker: the client is found on the command PATH, fed the password on stdin, and its failures are one line');

Docker('failureReason keeps the line that names the error, without the secret or control characters', () => {
  const output = `WARNING! Your password will be stored unencrypted.\nError response from daemon: denied for s3cr3t\u001b[31m\nLogin did not succeed\n`;
  assert.is(failureReason(output, 's3cr3t'), 'Error response from daemon: denied for ***');
  assert.is(failureReason(`just one line\n\n`), 'just one line');
  assert.is(failureReason(''), '');
  assert.is(failureReason(`error ${'x'.repeat(400)}`).length, 301);
});

Docker('findDockerClient looks on the given PATH, skips folders and files that cannot run, and refuses an empty name', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aws2fa-path-'));
  try {
    const [folder, plain, real] = ['a', 'b', 'c'].map((name) => join(root, name)) as [string, string, string];
    await mkdir(join(folder, 'docker'), { recursive: true });
    await mkdir(plain);
    await writeFile(join(plain, 'docker'), '#!/bin/sh\n');
    await mkdir(real);
    await writeFile(join(real, 'docker'), '#!/bin/sh\n');
    await chmod(join(real, 'docker'), 0o755);
    assert.equal(await findDockerClient(undefined, { PATH: [folder, plain, real].join(':') }), { name: 'docker', path: join(real, 'docker') });
    try {
      await findDockerClient(undefined, { PATH: [folder, plain].join(':') });
      assert.unreachable();
    } catch (error) {
      assert.instance(error, DockerError);
    }
    try {
      await findDockerClient('  ', { PATH: real });
      assert.unreachable();
    } catch (error) {
      assert.instance(error, BadInputError);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

Docker('dockerLogin writes the password to stdin only; a failure names the client and its status', async () => {
  const fake = await makeFakeDocker({ failOn: 'bad.example' });
  try {
    const env = { PATH: pathWith(fake.bin), HOME: tmpdir() };
    const client = await findDockerClient(undefined, env);
    await dockerLogin(client, env, { proxyEndpoint: 'https://good.example', username: 'AWS', password: 'pa55+/word=' });
    const [call] = await fake.calls();
    assert.equal([call!.argv, call!.stdin], [['login', '--username', 'AWS', '--password-stdin', '--', 'https://good.example'], 'pa55+/word=']);
    try {
      await dockerLogin(client, env, { proxyEndpoint: 'https://bad.example', username: 'AWS', password: 'pa55+/word=' });
      assert.unreachable();
    } catch (error) {
      assert.instance(error, DockerError);
      assert.match((error as Error).message, /^docker login exited with status 1: Error response from daemon: .*\(got \*\*\*\)$/);
    }
    assert.equal(await dockerLogout(client, env, 'https://good.example'), { notLoggedIn: false });
  } finally {
    await fake.remove();
  }
});

// Issue 11: even an address that slipped past the check in src/aws/ecr.ts is an argument, never an option.
Docker('dockerLogin and dockerLogout pass the registry after --, so --authfile=/x is the server, not an option', async () => {
  const fake = await makeFakeDocker();
  try {
    const env = { PATH: pathWith(fake.bin), HOME: tmpdir() };
    const client = await findDockerClient(undefined, env);
    await dockerLogin(client, env, { proxyEndpoint: '--authfile=/x', username: 'AWS', password: 'pw' });
    await dockerLogout(client, env, '--authfile=/x');
    const argvs = (await fake.calls()).map((call) => call.argv).sort();
    assert.equal(argvs, [
      ['login', '--username', 'AWS', '--password-stdin', '--', '--authfile=/x'],
      ['logout', '--', '--authfile=/x'],
    ]);
    for (const argv of argvs) assert.ok(argv.indexOf('--') < argv.indexOf('--authfile=/x'), 'after the end of the options');
  } finally {
    await fake.remove();
  }
});

Docker.run();
