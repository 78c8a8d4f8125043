import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration } from '../../src/duration.js';

const Duration = suite('--duration: seconds, or hours and minutes');

Duration('plain seconds and h/m/s units give seconds', () => {
  for (const [text, seconds] of [
    ['3600', 3600],
    ['900', 900],
    ['129600', 129600],
    ['90m', 5400],
    ['12h', 43200],
    ['1h30m', 5400],
    ['36h', 129600],
    ['15m', 900],
    ['1h0m30s', 3630],
    ['2000s', 2000],
  ] as const) {
    assert.equal(parseDuration(text), { seconds }, text);
  }
});

const FORMAT = (text: string) => `expected seconds like 3600, or hours and minutes like 90m, 12h or 1h30m (got ${JSON.stringify(text)})`;

Duration('anything else is named as not a duration, not as a number the runtime cannot represent', () => {
  for (const text of ['1e3', '3600.5', '1h30', 'h', '', ' 3600', '1H', '30m1h', '0x400', '1d', 'abc']) {
    assert.equal(parseDuration(text), { problem: FORMAT(text) }, text);
  }
});

Duration('out of range, negative included, gets the range with the seconds it came to', () => {
  assert.equal(parseDuration('899'), { problem: 'expected to be in the [900; 129600] range, 15m to 36h (got 899)' });
  assert.equal(parseDuration('-3600'), { problem: 'expected to be in the [900; 129600] range, 15m to 36h (got -3600)' });
  assert.equal(parseDuration('129601'), { problem: 'expected to be in the [900; 129600] range, 15m to 36h (got 129601)' });
  assert.equal(parseDuration('10m'), { problem: 'expected to be in the [900; 129600] range, 15m to 36h (got 10m = 600 seconds)' });
  assert.equal(parseDuration('37h'), { problem: 'expected to be in the [900; 129600] range, 15m to 36h (got 37h = 133200 seconds)' });
});

Duration.run();
