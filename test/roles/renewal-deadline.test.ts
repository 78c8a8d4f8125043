import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppContext } from '../../src/context.js';
import { stsTarget } from '../../src/mfa/session.js';
import type { ResolvedProfile } from '../../src/profiles/resolve.js';

// The hook's renewal runs while the prompt waits: all its AWS calls together, one per hop of a chain, end within the
// renewal's bound, not each within it (a chain of three hops would hold the prompt three times as long).
const Deadline = suite('roles: a renewal has one deadline for all its calls');

const profile = { stsRegion: `us-east-1` } as ResolvedProfile;
const contextWith = (renewalDeadline?: number) => ({ env: {}, ...(renewalDeadline === undefined ? {} : { renewalDeadline }) }) as unknown as AppContext;

Deadline('a call of a renewal gets one try, and no more than the time left to the deadline', () => {
  const before = Date.now();
  const target = stsTarget(contextWith(before + 3_000), profile);
  assert.is(target.maxAttempts, 1);
  assert.ok(target.boundMs !== undefined && target.boundMs <= 3_000, String(target.boundMs));
  assert.is(target.requestTimeoutMs, target.boundMs);
  assert.is(target.connectTimeoutMs, target.boundMs);
});

Deadline('a later hop gets only what the hops before it left; past the deadline, a call fails at once', () => {
  const now = Date.now();
  assert.ok((stsTarget(contextWith(now + 500), profile).boundMs ?? Infinity) <= 500);
  assert.is(stsTarget(contextWith(now - 10_000), profile).boundMs, 1);
});

Deadline('outside a renewal, the usual bounds and retries', () => {
  const target = stsTarget(contextWith(), profile);
  assert.ok(target.maxAttempts > 1, String(target.maxAttempts));
  assert.is(target.boundMs, undefined);
  assert.ok(target.requestTimeoutMs > 3_000, String(target.requestTimeoutMs));
});

Deadline.run();
