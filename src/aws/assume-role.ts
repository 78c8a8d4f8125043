import { AwsRequestError } from '../errors.js';
import type { AccessKeys, SessionKeys } from '../store/credentials.js';
import { boundedCall, describeEndpoint, type AwsTarget } from './endpoint.js';
import { describeAwsFailure, shortKey } from './failures.js';
import { announce, sessionKeysFrom, stsClient, type MfaRequest } from './sts.js';

export interface AssumeRoleRequest {
  /** the role profile, for messages */
  profile: string;
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  externalId?: string | undefined;
  /** only when signed with long-term keys: the MFA comes with the call (SerialNumber, TokenCode) */
  mfa?: Omit<MfaRequest, 'durationSeconds'> | undefined;
}

interface SdkError {
  name?: string;
  message?: string;
}

const CHAINED_LIMIT = /1 hour session limit for roles assumed by role chaining/i;
const ABOVE_MAXIMUM = /DurationSeconds exceeds the MaxSessionDuration/i;

// AssumeRole's own refusals, one line each, naming the profile and the role; the rest as for every STS call.
function describeRefusal(error: unknown, request: AssumeRoleRequest): AwsRequestError | undefined {
  const failure = (error ?? {}) as SdkError;
  const message = (failure.message ?? '').trim();
  const role = `role ${request.roleArn} (profile ${request.profile})`;
  if (failure.name === 'AccessDenied' && !/MultiFactorAuthentication/i.test(message)) {
    return new AwsRequestError(
      `AWS refused to let you assume ${role}: check the role's trust policy (it must trust your user or account, and may require MFA) ` +
        `and the profile's external_id`,
    );
  }
  if (failure.name !== 'ValidationError') return undefined;
  if (CHAINED_LIMIT.test(message)) {
    return new AwsRequestError(
      `AWS limits ${role} to 1 hour (3600 s) when assumed from another session (role chaining), and ${request.durationSeconds} s were asked: use --duration 3600 or less`,
    );
  }
  if (ABOVE_MAXIMUM.test(message)) {
    return new AwsRequestError(
      `profile ${request.profile} asks for ${request.durationSeconds} s, more than the maximum session duration (MaxSessionDuration) of ${request.roleArn}: ` +
        `ask for less with --duration or duration_seconds, or raise the role's maximum in IAM`,
    );
  }
  return undefined;
}

export async function assumeRole(target: AwsTarget, keys: AccessKeys | SessionKeys, request: AssumeRoleRequest): Promise<SessionKeys> {
  const { sts, client } = await stsClient(target, keys);
  const mfa = request.mfa ? `, MFA device ${request.mfa.serial}, code ******` : '';
  announce(target, `AssumeRole ${request.roleArn} as ${request.sessionName} with key ${shortKey(keys.accessKeyId)}${mfa}, ${request.durationSeconds} s`);
  try {
    const command = new sts.AssumeRoleCommand({
      RoleArn: request.roleArn,
      RoleSessionName: request.sessionName,
      DurationSeconds: request.durationSeconds,
      ...(request.externalId ? { ExternalId: request.externalId } : {}),
      ...(request.mfa ? { SerialNumber: request.mfa.serial, TokenCode: request.mfa.code } : {}),
    });
    const answer = await boundedCall(target, (abortSignal) => client.send(command, { abortSignal }));
    return sessionKeysFrom(target, answer.Credentials, `AssumeRole ${request.roleArn}`);
  } catch (error) {
    const keysLabel = 'sessionToken' in keys ? undefined : keys;
    throw (
      describeRefusal(error, request) ??
      describeAwsFailure(error, {
        service: 'STS',
        endpoint: describeEndpoint(target, 'sts'),
        ...(keysLabel ? { keys: keysLabel } : {}),
        ...(request.mfa ? { mfa: request.mfa } : {}),
        target,
      })
    );
  } finally {
    client.destroy();
  }
}
