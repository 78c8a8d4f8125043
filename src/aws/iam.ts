import { AwsRequestError, UserError } from '../errors.js';
import { printable } from '../printable.js';
import type { AccessKeys, SessionKeys } from '../store/credentials.js';
import { limitAnswerSize } from './answer-limit.js';
import { clientSettings } from './client-settings.js';
import { logEachTry } from './debug-middleware.js';
import { boundedCall, callBoundMs, maskedEndpoint, type AwsTarget } from './endpoint.js';
import { describeAwsFailure, shortKey } from './failures.js';

// The three IAM calls of `rotate`, each signed with the MFA session (IAM policies that require MFA deny them to the
// long-term key itself). The SDK is loaded only here, and only rotate comes here.

export interface AccessKeyInfo {
  accessKeyId: string;
  status: string; // Active or Inactive
  created: Date | undefined;
}

export interface UserKeys {
  userName: string;
  keys: AccessKeyInfo[];
}

export interface CreatedKey extends AccessKeys {
  userName: string;
}

// IAM is global: one endpoint per partition, signed for the partition's first region.
export function iamRegionFor(region: string): string {
  if (region.startsWith('cn-')) return 'cn-north-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}

export function describeIamEndpoint(target: AwsTarget): string {
  if (target.endpoint) return maskedEndpoint(target.endpoint);
  if (target.region === 'cn-north-1') return 'https://iam.cn-north-1.amazonaws.com.cn';
  if (target.region === 'us-gov-west-1') return 'https://iam.us-gov.amazonaws.com';
  return 'https://iam.amazonaws.com';
}

// What IAM answers is checked before it is shown or written: an access key id, a user name, a printable secret.
const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;
const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const SECRET = /^[\x21-\x7e]{16,512}$/;

export class IamRefusedError extends AwsRequestError {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

async function iamClient(target: AwsTarget, session: SessionKeys) {
  const iam = await import('@aws-sdk/client-iam');
  const client = new iam.IAMClient({
    ...clientSettings(target),
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
  });
  logEachTry(client, 'IAM', target.debug);
  limitAnswerSize(client);
  return { iam, client };
}

function refuseAnswer(target: AwsTarget, call: string, problem: string): never {
  throw new AwsRequestError(`IAM at ${describeIamEndpoint(target)} answered ${call} ${problem}; refusing it: try again, and check AWS_ENDPOINT_URL_IAM`);
}

// IAM's own refusals, said for what rotate was doing; everything else as for STS.
function iamFailure(error: unknown, target: AwsTarget, call: string, session: SessionKeys): UserError {
  const failure = (error ?? {}) as { name?: string; message?: string };
  const text = printable((failure.message ?? '').trim());
  switch (failure.name) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new IamRefusedError(
        `IAM refused ${call} with the MFA session: ${text || 'access denied'}; the IAM user needs iam:${call} on itself (with MFA)`,
        'AccessDenied',
      );
    case 'LimitExceeded':
    case 'LimitExceededException':
      return new IamRefusedError(`IAM refused ${call}: ${text || 'limit exceeded'} (an IAM user has at most two access keys)`, 'LimitExceeded');
    case 'NoSuchEntity':
    case 'NoSuchEntityException':
      return new IamRefusedError(`IAM refused ${call}: ${text || 'no such entity'}`, 'NoSuchEntity');
    default:
      return describeAwsFailure(error, { service: 'IAM', endpoint: describeIamEndpoint(target), keys: session, target });
  }
}

async function call<T>(target: AwsTarget, session: SessionKeys, name: string, send: (iam: typeof import('@aws-sdk/client-iam'), client: import('@aws-sdk/client-iam').IAMClient, signal: AbortSignal) => Promise<T>): Promise<T> {
  const { iam, client } = await iamClient(target, session);
  target.debug?.(`IAM ${name} at ${describeIamEndpoint(target)} (signing region ${target.region}), signed with the MFA session ${shortKey(session.accessKeyId)}, ${callBoundMs(target) / 1000} s in all`);
  try {
    return await boundedCall(target, (signal) => send(iam, client, signal));
  } catch (error) {
    throw iamFailure(error, target, name, session);
  } finally {
    client.destroy();
  }
}

// The keys of the user the session belongs to (no UserName: IAM takes the caller's own user).
export async function listAccessKeys(target: AwsTarget, session: SessionKeys): Promise<UserKeys> {
  const answer = await call(target, session, 'ListAccessKeys', (iam, client, abortSignal) => client.send(new iam.ListAccessKeysCommand({}), { abortSignal }));
  const members = answer.AccessKeyMetadata ?? [];
  if (members.length > 10) refuseAnswer(target, 'ListAccessKeys', `with ${members.length} keys, where IAM allows two`);
  const keys: AccessKeyInfo[] = [];
  let userName: string | undefined;
  for (const member of members) {
    if (!ACCESS_KEY_ID.test(member.AccessKeyId ?? '')) refuseAnswer(target, 'ListAccessKeys', 'with an access key id that is not AKIA and 16 capitals or digits');
    if (!USER_NAME.test(member.UserName ?? '')) refuseAnswer(target, 'ListAccessKeys', 'with a user name that is not an IAM user name');
    if (userName !== undefined && member.UserName !== userName) refuseAnswer(target, 'ListAccessKeys', 'with keys of two users');
    userName = member.UserName!;
    const created = member.CreateDate && !Number.isNaN(member.CreateDate.getTime()) ? member.CreateDate : undefined;
    keys.push({ accessKeyId: member.AccessKeyId!, status: member.Status === 'Inactive' ? 'Inactive' : 'Active', created });
  }
  if (userName === undefined) refuseAnswer(target, 'ListAccessKeys', 'with no key at all, where the session was made with one');
  return { userName, keys };
}

export async function createAccessKey(target: AwsTarget, session: SessionKeys): Promise<CreatedKey> {
  const answer = await call(target, session, 'CreateAccessKey', (iam, client, abortSignal) => client.send(new iam.CreateAccessKeyCommand({}), { abortSignal }));
  const key = answer.AccessKey;
  // Masked in debug lines before it is checked, as STS answers are.
  target.debug?.secret(key?.SecretAccessKey);
  if (!ACCESS_KEY_ID.test(key?.AccessKeyId ?? '')) refuseAnswer(target, 'CreateAccessKey', 'with an access key id that is not AKIA and 16 capitals or digits');
  if (!SECRET.test(key?.SecretAccessKey ?? '')) refuseAnswer(target, 'CreateAccessKey', 'with a secret access key that is not printable ASCII without spaces');
  if (!USER_NAME.test(key?.UserName ?? '')) refuseAnswer(target, 'CreateAccessKey', 'with a user name that is not an IAM user name');
  return { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey!, userName: key!.UserName! };
}

// A key already gone is deleted all the same: a second run finishing the first's work finds it so.
export async function deleteAccessKey(target: AwsTarget, session: SessionKeys, userName: string, accessKeyId: string): Promise<'deleted' | 'gone'> {
  try {
    await call(target, session, 'DeleteAccessKey', (iam, client, abortSignal) =>
      client.send(new iam.DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }), { abortSignal }),
    );
    return 'deleted';
  } catch (error) {
    if (error instanceof IamRefusedError && error.code === 'NoSuchEntity') return 'gone';
    throw error;
  }
}
