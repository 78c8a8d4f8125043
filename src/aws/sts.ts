import { AwsRequestError } from '../errors.js';
import { rfc3339 } from '../time.js';
import type { AccessKeys, SessionKeys } from '../store/credentials.js';
import type { Credentials } from '@aws-sdk/client-sts';
import { limitAnswerSize } from './answer-limit.js';
import { clientSettings } from './client-settings.js';
import { logEachTry } from './debug-middleware.js';
import { boundedCall, callBoundMs, describeEndpoint, type AwsTarget } from './endpoint.js';
import { describeAwsFailure, shortKey } from './failures.js';
import { sessionFromAnswer } from './session-answer.js';

export interface MfaRequest {
  serial: string;
  code: string;
  durationSeconds: number;
}

// The SDK is loaded only here, on the paths that call AWS. The keys are passed as static credentials, never the
// SDK's default chain, which would pick up environment or session keys. A session signs AssumeRole (roles).
export async function stsClient(target: AwsTarget, keys: AccessKeys | SessionKeys) {
  const sts = await import('@aws-sdk/client-sts');
  const sessionToken = 'sessionToken' in keys ? keys.sessionToken : undefined;
  const client = new sts.STSClient({
    ...clientSettings(target),
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  });
  logEachTry(client, 'STS', target.debug);
  limitAnswerSize(client);
  return { sts, client };
}

export function announce(target: AwsTarget, call: string): void {
  const seconds = (ms: number) => `${ms / 1000} s`;
  target.debug?.(
    `STS ${call} at ${describeEndpoint(target, 'sts')} (signing region ${target.region}): up to ${target.maxAttempts} tries, ` +
      `${seconds(target.connectTimeoutMs)} to connect, ${seconds(target.requestTimeoutMs)} of silence, ${seconds(callBoundMs(target))} in all`,
  );
}

// The Credentials of every STS answer that hands out a session (GetSessionToken, AssumeRole) are read here, and
// checked as hostile input (sessionFromAnswer).
export function sessionKeysFrom(target: AwsTarget, credentials: Credentials | undefined, call: string): SessionKeys {
  // Masked in debug lines before they are checked: a refused answer may still hold a real secret.
  target.debug?.secret(credentials?.SecretAccessKey, credentials?.SessionToken);
  const session = sessionFromAnswer(credentials, `STS at ${describeEndpoint(target, 'sts')}`);
  target.debug?.(`STS ${call}: session key ${shortKey(session.accessKeyId)} until ${rfc3339(session.expiration)}`);
  return session;
}

export async function getSessionToken(target: AwsTarget, keys: AccessKeys, mfa: MfaRequest): Promise<SessionKeys> {
  const { sts, client } = await stsClient(target, keys);
  announce(target, `GetSessionToken for access key ${shortKey(keys.accessKeyId)}, MFA device ${mfa.serial}, code ******, ${mfa.durationSeconds} s`);
  try {
    const command = new sts.GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code, DurationSeconds: mfa.durationSeconds });
    const answer = await boundedCall(target, (abortSignal) => client.send(command, { abortSignal }));
    return sessionKeysFrom(target, answer.Credentials, 'GetSessionToken');
  } catch (error) {
    throw describeAwsFailure(error, { service: 'STS', endpoint: describeEndpoint(target, 'sts'), keys, mfa, target });
  } finally {
    client.destroy();
  }
}

export async function getCallerAccount(target: AwsTarget, keys: AccessKeys): Promise<string> {
  const { sts, client } = await stsClient(target, keys);
  announce(target, `GetCallerIdentity for access key ${shortKey(keys.accessKeyId)}`);
  try {
    const command = new sts.GetCallerIdentityCommand({});
    const answer = await boundedCall(target, (abortSignal) => client.send(command, { abortSignal }));
    // It names the docker registries to log out of: 12 digits, or nothing of it is used.
    const account = answer.Account ?? '';
    if (!/^\d{12}$/.test(account)) throw new AwsRequestError(`STS answered GetCallerIdentity without a 12-digit account id`);
    return account;
  } catch (error) {
    throw describeAwsFailure(error, { service: 'STS', endpoint: describeEndpoint(target, 'sts'), keys, target });
  } finally {
    client.destroy();
  }
}
