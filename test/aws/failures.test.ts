import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { targetFor } from '../../src/aws/endpoint.js';
import { describeAwsFailure } from '../../src/aws/failures.js';

// Every answer STS can give, mapped to one line that says what to do next and never echoes a secret.
const Failures = suite('aws/failures: AWS and network errors become one clear line');

const target = targetFor({}, 'STS', 'eu-west-1');
const where = {
  service: 'STS' as const,
  endpoint: 'https://sts.eu-west-1.amazonaws.com',
  target,
  keys: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'very/secret+key=' },
  mfa: { serial: 'arn:aws:iam::123456789012:mfa/alice' },
};
const sdkError = (name: string, message: string, status?: number, code?: string) =>
  Object.assign(new Error(message), { name, ...(code ? { code } : {}), $metadata: status ? { httpStatusCode: status } : {} });

const cases: Array<[string, Error, RegExp]> = [
  ['bad MFA code', sdkError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code. ', 403), /AWS rejected the MFA code for arn:aws:iam::123456789012:mfa\/alice: wait for the next code/],
  ['GetSessionToken refused by policy', sdkError('AccessDenied', 'User is not authorized to perform: sts:GetSessionToken', 403), /^AWS refused the request: User is not authorized to perform: sts:GetSessionToken$/],
  ['unknown or disabled key', sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), /AWS does not accept access key AKIA…MPLE: it is wrong, deleted or deactivated/],
  ['wrong secret', sdkError('SignatureDoesNotMatch', 'The request signature we calculated does not match', 403), /the secret access key does not match access key AKIA…MPLE/],
  ['expired session keys', sdkError('ExpiredToken', 'The security token included in the request is expired', 403), /expired session: log out \(aws2fa logout\) and log in again/],
  ['validation', sdkError('ValidationError', '1 validation error detected: Value at serialNumber failed', 400), /^AWS refused the request as invalid: 1 validation error detected/],
  ['throttling', sdkError('Throttling', 'Rate exceeded', 400), /AWS is throttling STS requests: wait a minute/],
  ['region disabled', sdkError('RegionDisabledException', 'STS is not activated in this region', 403), /STS is not enabled in region eu-west-1: pick another with --region/],
  ['server error', sdkError('InternalFailure', 'oops', 500), /STS at https:\/\/sts.eu-west-1.amazonaws.com failed \(HTTP 500\): try again/],
  ['unreadable answer', sdkError('Error', 'Deserialization error: expected ">"', 200), /sent an answer that could not be read/],
  ['connection refused', sdkError('Error', 'connect ECONNREFUSED', undefined, 'ECONNREFUSED'), /cannot reach STS at https:\/\/sts.eu-west-1.amazonaws.com \(ECONNREFUSED\)/],
  ['connection reset (the SDK calls it TimeoutError)', sdkError('TimeoutError', 'socket hang up', undefined, 'ECONNRESET'), /cannot reach STS .*\(ECONNRESET\)/],
  ['timeout', sdkError('TimeoutError', 'request timed out', undefined, 'ETIMEDOUT'), /did not answer in time \(bound 13 s per try\)/],
  ['unknown DNS name', sdkError('Error', 'getaddrinfo ENOTFOUND', undefined, 'ENOTFOUND'), /cannot reach STS .*\(ENOTFOUND\)/],
];

for (const [what, error, message] of cases) {
  Failures(what, () => {
    const described = describeAwsFailure(error, where);
    assert.match(described.message, message);
    assert.not.ok(described.message.includes('\n'), 'one line');
    assert.not.ok(described.message.includes(where.keys.secretAccessKey), 'no secret');
    assert.is(described.exitCode, 1);
  });
}

Failures.run();
