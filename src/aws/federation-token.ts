import { AwsRequestError } from '../errors.js';
import { printable } from '../printable.js';
import type { AccessKeys, SessionKeys } from '../store/credentials.js';
import { boundedCall, describeEndpoint, type AwsTarget } from './endpoint.js';
import { describeAwsFailure, shortKey } from './failures.js';
import { announce, sessionKeysFrom, stsClient } from './sts.js';

// GetFederationToken: a session of the IAM user that can sign in to the console (a GetSessionToken session cannot),
// made with the long-term keys alone. Same client, bounds, answer limit and answer checks as every STS call.

export interface FederationRequest {
  /** the federated user's name: 2–32 characters of [\w+=,.@-] */
  name: string;
  /** the inline session policy (JSON) */
  policy: string;
  durationSeconds: number;
}

export interface CallerIdentity {
  account: string;
  /** arn:aws:iam::ACCOUNT:user/NAME (or :root) */
  arn: string;
}

// AWS refused the call itself (AccessDenied, not a key or network problem): policies deny GetFederationToken, as
// those that require MFA for everything but GetSessionToken do. The caller says what works instead.
export class FederationDeniedError extends AwsRequestError {}

const USER_ARN = /^arn:aws[\w-]*:(?:iam|sts)::\d{12}:[\x21-\x7e]{1,2000}$/;

export async function getCallerIdentity(target: AwsTarget, keys: AccessKeys): Promise<CallerIdentity> {
  const { sts, client } = await stsClient(target, keys);
  announce(target, `GetCallerIdentity for access key ${shortKey(keys.accessKeyId)}`);
  try {
    const answer = await boundedCall(target, (abortSignal) => client.send(new sts.GetCallerIdentityCommand({}), { abortSignal }));
    const account = answer.Account ?? '';
    const arn = answer.Arn ?? '';
    if (!/^\d{12}$/.test(account) || !USER_ARN.test(arn)) throw new AwsRequestError(`STS answered GetCallerIdentity without a 12-digit account id and an ARN`);
    return { account, arn };
  } catch (error) {
    throw describeAwsFailure(error, { service: 'STS', endpoint: describeEndpoint(target, 'sts'), keys, target });
  } finally {
    client.destroy();
  }
}

export async function getFederationToken(target: AwsTarget, keys: AccessKeys, request: FederationRequest): Promise<SessionKeys> {
  const { sts, client } = await stsClient(target, keys);
  announce(target, `GetFederationToken as ${request.name} with key ${shortKey(keys.accessKeyId)}, ${request.durationSeconds} s`);
  try {
    const command = new sts.GetFederationTokenCommand({ Name: request.name, Policy: request.policy, DurationSeconds: request.durationSeconds });
    const answer = await boundedCall(target, (abortSignal) => client.send(command, { abortSignal }));
    return sessionKeysFrom(target, answer.Credentials, 'GetFederationToken');
  } catch (error) {
    const failure = (error ?? {}) as { name?: string; message?: string };
    if (failure.name === 'AccessDenied') throw new FederationDeniedError(printable(failure.message ?? 'AccessDenied'));
    throw describeAwsFailure(error, { service: 'STS', endpoint: describeEndpoint(target, 'sts'), keys, target });
  } finally {
    client.destroy();
  }
}
