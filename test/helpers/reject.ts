import * as assert from 'uvu/assert';

// The error a call fails with, checked to be of the expected class; a call that succeeds fails the test.
export async function rejection<E extends Error>(call: Promise<unknown> | (() => unknown), kind: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    assert.instance(error, kind);
    return error as E;
  }
  assert.unreachable(`expected a ${kind.name}`);
  throw new Error('unreachable');
}
