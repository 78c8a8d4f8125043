import { boundedCall, describeEndpoint, type AwsTarget } from '../aws/endpoint.js';
import { describeAwsFailure, shortKey } from '../aws/failures.js';
import { stsClient } from '../aws/sts.js';
import { AwsSettingError } from '../aws/endpoint.js';
import { printable } from '../printable.js';
import type { AccessKeys } from '../store/credentials.js';

// A new IAM key takes seconds to work everywhere: until then STS refuses it as unknown. Each try is
// GetCallerIdentity signed with the key itself; the pauses grow from a quarter second to 2 s.
export const NEW_KEY_WAIT_S = 30;
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 2_000;
const NOT_YET = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'AuthFailure']);

export type KeyCheck = { works: true; tries: number } | { works: false; why: string; tries: number; final: boolean };

// AWS2FA_NEW_KEY_WAIT: seconds to wait for a new key (default 30): longer where IAM is slow to spread a key.
export function newKeyWaitMs(env: Record<string, string | undefined>): number {
  const text = env.AWS2FA_NEW_KEY_WAIT?.trim();
  if (!text) return NEW_KEY_WAIT_S * 1000;
  const seconds = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || seconds > 600) {
    throw new AwsSettingError(`AWS2FA_NEW_KEY_WAIT=${printable(text)} is not a number of seconds up to 600: set one, or unset it for the default (${NEW_KEY_WAIT_S} s)`);
  }
  return Math.round(seconds * 1000);
}

async function tryKey(target: AwsTarget, keys: AccessKeys): Promise<string | undefined> {
  const { sts, client } = await stsClient(target, keys);
  try {
    await boundedCall(target, (abortSignal) => client.send(new sts.GetCallerIdentityCommand({}), { abortSignal }));
    return undefined;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (NOT_YET.has(name)) return name;
    throw describeAwsFailure(error, { service: 'STS', endpoint: describeEndpoint(target, 'sts'), keys, target });
  } finally {
    client.destroy();
  }
}

// Tries until the key works or `waitMs` has passed (at least one try). A failure other than "not yet" (the network,
// a throttled endpoint) ends the wait at once, as `final`.
export async function waitUntilKeyWorks(target: AwsTarget, keys: AccessKeys, waitMs: number): Promise<KeyCheck> {
  const deadline = Date.now() + waitMs;
  let pause = FIRST_PAUSE_MS;
  for (let tries = 1; ; tries++) {
    let refusal: string | undefined;
    try {
      refusal = await tryKey(target, keys);
    } catch (error) {
      return { works: false, why: (error as Error).message, tries, final: true };
    }
    if (refusal === undefined) return { works: true, tries };
    target.debug?.(`new key ${shortKey(keys.accessKeyId)} not accepted yet (${refusal}), try ${tries}`);
    if (Date.now() + pause > deadline) return { works: false, why: `STS still answers ${refusal}`, tries, final: false };
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
}
