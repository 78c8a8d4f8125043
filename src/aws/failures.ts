import { AwsRequestError, UserError, WrongCodeError } from '../errors.js';
import { printable } from '../printable.js';
import type { AccessKeys } from '../store/credentials.js';
import { ANSWER_LIMIT_BYTES, OversizedAnswerError } from './answer-limit.js';
import { hideUserInfo, type AwsTarget } from './endpoint.js';

export interface FailureContext {
  service: 'STS' | 'ECR' | 'IAM';
  endpoint: string;
  target: AwsTarget;
  keys?: AccessKeys;
  mfa?: { serial: string };
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

// An access key id is an identifier, not a secret, but its tail is all a person needs to recognise it.
export function shortKey(accessKeyId: string): string {
  return accessKeyId.length > 8 ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}` : accessKeyId;
}

// One clear line for everything AWS or the network can answer; never echoes a secret. The codes and texts in it
// come from the network, the endpoint from the environment: shown without control characters.
export function describeAwsFailure(error: unknown, where: FailureContext): UserError {
  const described = describe(error, where);
  described.message = printable(hideUserInfo(described.message, where.target));
  return described;
}

function describe(error: unknown, where: FailureContext): UserError {
  if (error instanceof UserError) return error;
  const failure = (error ?? {}) as SdkError;
  const name = failure.name ?? '';
  const status = failure.$metadata?.httpStatusCode;
  const awsMessage = (failure.message ?? '').trim();
  const key = where.keys ? `access key ${shortKey(where.keys.accessKeyId)}` : 'the session';
  const seconds = Math.round((where.target.boundMs ?? where.target.connectTimeoutMs + where.target.requestTimeoutMs) / 1000);

  if (error instanceof OversizedAnswerError) {
    return new AwsRequestError(
      `${where.service} at ${where.endpoint} sent an answer larger than ${ANSWER_LIMIT_BYTES / 1024 / 1024} MiB; refusing it: check AWS_ENDPOINT_URL`,
    );
  }
  // The SDK names a reset connection TimeoutError too; only the code tells them apart.
  if (NETWORK_CODES.has(failure.code ?? '') || NETWORK_CODES.has(name)) {
    // ECR regions are typed by hand (--ecr-region), so a misspelt one shows up as a host that does not resolve.
    const hint = where.service === 'ECR' ? `check the region name, your network, VPN or AWS_ENDPOINT_URL_ECR` : `check your network, VPN or AWS_ENDPOINT_URL`;
    return new AwsRequestError(`cannot reach ${where.service} at ${where.endpoint} (${failure.code ?? name}): ${hint}`);
  }
  // AbortError: the whole call ran past its bound (boundedCall in endpoint.ts).
  if (name === 'TimeoutError' || failure.code === 'ETIMEDOUT' || name === 'RequestTimeout' || name === 'AbortError') {
    return new AwsRequestError(`${where.service} at ${where.endpoint} did not answer in time (bound ${seconds} s per try): check your network, VPN or AWS_ENDPOINT_URL`);
  }
  switch (name) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      if (/MultiFactorAuthentication/i.test(awsMessage)) {
        return new WrongCodeError(
          `AWS rejected the MFA code for ${where.mfa?.serial ?? 'the device'}: wait for the next code and try again (and check that this MFA device belongs to the user of ${key})`,
        );
      }
      return new AwsRequestError(`AWS refused the request: ${awsMessage || name}`);
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
      // ECR is only called with a session STS has just issued: a refusal then means the region, not the key.
      if (where.service === 'ECR') {
        return new AwsRequestError(
          `ECR in ${where.target.region} does not accept the new session: check that the region is enabled for the account (opt-in regions) and spelt right`,
        );
      }
      return new AwsRequestError(`AWS does not accept ${key}: it is wrong, deleted or deactivated; create a new access key and run aws configure`);
    case 'SignatureDoesNotMatch':
      return new AwsRequestError(`the secret access key does not match ${key}: check aws_secret_access_key in the credentials file`);
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return new AwsRequestError(`the keys used (${key}) are an expired session: log out (aws2fa logout) and log in again`);
    case 'ValidationError':
      return new AwsRequestError(`AWS refused the request as invalid: ${awsMessage}`);
    case 'Throttling':
    case 'ThrottlingException':
      return new AwsRequestError(`AWS is throttling ${where.service} requests: wait a minute and try again`);
    case 'RegionDisabledException':
      return new AwsRequestError(
        `${where.service} is not enabled in region ${where.target.region}: pick another with ${where.service === 'ECR' ? '--ecr-region' : '--region'}`,
      );
    default:
      break;
  }
  if (status !== undefined && status < 300) {
    return new AwsRequestError(`${where.service} at ${where.endpoint} sent an answer that could not be read: try again, and check AWS_ENDPOINT_URL`);
  }
  if (status !== undefined && status >= 500) {
    return new AwsRequestError(`${where.service} at ${where.endpoint} failed (HTTP ${status}): try again in a moment`);
  }
  if (status !== undefined) {
    return new AwsRequestError(`${where.service} refused the request (HTTP ${status}${name ? `, ${name}` : ''})${awsMessage ? `: ${awsMessage}` : ''}`);
  }
  return new AwsRequestError(`${where.service} request to ${where.endpoint} failed: ${awsMessage || name || 'unknown error'}`);
}
