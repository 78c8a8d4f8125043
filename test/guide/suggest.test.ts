import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closest, editDistance, oneOf } from '../../src/cli/suggest.js';

const Suggest = suite('suggestions: the nearest words within a few typos');

const COMMANDS = ['login', 'logout', 'status', 'env', 'init', 'help', 'mfa'];

Suggest('edit distance counts a swap of neighbours as one typo', () => {
  assert.is(editDistance('statsu', 'status'), 1);
  assert.is(editDistance('logn', 'login'), 1);
  assert.is(editDistance('', 'env'), 3);
  assert.is(editDistance('kitten', 'sitting'), 3);
  assert.is(editDistance('same', 'same'), 0);
});

Suggest('a typo of a command finds it, case aside', () => {
  assert.equal(closest('logn', COMMANDS), ['login']);
  assert.equal(closest('statsu', COMMANDS), ['status']);
  assert.equal(closest('LOGIN', COMMANDS), ['login']);
  assert.equal(closest('lgin', ['login', 'logout']), ['login']);
  assert.equal(closest('--duraton', ['--duration', '--lifespan', '--serial']), ['--duration']);
});

Suggest('ties are all named; words too far give nothing, never an empty guess', () => {
  assert.equal(closest('hat', ['cat', 'bat', 'dog']), ['cat', 'bat']);
  assert.equal(closest('prod', COMMANDS), []);
  assert.equal(closest('x', COMMANDS), []);
  assert.equal(closest('xyzzy', COMMANDS), []);
  assert.equal(closest('anything', []), []);
});

Suggest('lists read as English', () => {
  assert.is(oneOf(['login']), 'login');
  assert.is(oneOf(['env login', 'env logout']), 'env login or env logout');
  assert.is(oneOf(['a', 'b', 'c']), 'a, b or c');
});

Suggest.run();
