import { readdir, writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LockTimeoutError } from '../../src/errors.js';
import { lockPathFor, withFileLock } from '../../src/store/lock.js';
import { makeHome, type TempHome } from '../helpers/home.js';

const Lock = suite<{ home: TempHome }>('store/lock: one writer at a time, a bounded wait, then a clear error');

Lock.before.each(async (context) => {
  context.home = await makeHome();
  await context.home.writeCredentials('[p]\n');
});
Lock.after.each(async (context) => {
  await context.home.remove();
});

Lock('a second writer waits for the first and then runs', async ({ home }) => {
  const order: string[] = [];
  let releaseFirst!: () => void;
  const first = withFileLock(home.credentials, async () => {
    order.push('first in');
    await new Promise<void>((resolve) => (releaseFirst = resolve));
    order.push('first out');
  });
  // Each call tries the lock before it first waits: the first holds it now, the second has found it taken.
  const second = withFileLock(home.credentials, async () => void order.push('second'), { waitMs: 5_000 });
  assert.equal(order, ['first in']);
  releaseFirst();
  await Promise.all([first, second]);
  assert.equal(order, ['first in', 'first out', 'second']);
  assert.equal((await readdir(home.aws)).filter((name) => name.includes('lock')), [], 'the lock is gone');
});

Lock('a live holder past the bound: a clear error naming its pid and the lock file, nothing run', async ({ home }) => {
  await writeFile(lockPathFor(home.credentials), `${process.pid}\n`);
  let ran = false;
  try {
    await withFileLock(home.credentials, async () => void (ran = true), { waitMs: 150 });
    assert.unreachable('took a lock that a live process holds');
  } catch (error) {
    assert.instance(error, LockTimeoutError);
    assert.match((error as Error).message, new RegExp(`another aws2fa \\(pid ${process.pid}\\) is still changing .*credentials; wait for it and try again, or remove .*\\.credentials\\.aws2fa\\.lock if no aws2fa is running`));
  }
  assert.not.ok(ran);
});

Lock('a lock of a dead process is taken over at once', async ({ home }) => {
  await writeFile(lockPathFor(home.credentials), `999999999\n`);
  let ran = false;
  await withFileLock(home.credentials, async () => void (ran = true), { waitMs: 150 });
  assert.ok(ran);
});

Lock.run();
