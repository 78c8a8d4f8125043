// Which URL a service is reached at, and the HTTP bounds, as the AWS SDK for JavaScript v3 decides from the
// environment; computed from the command's context so in-process runs see their own environment.

import type { Debug } from '../debug.js';
import { UserError } from '../errors.js';
import { printable } from '../printable.js';

export interface AwsTarget {
  region: string;
  endpoint: string | undefined; // undefined: the SDK's own regional endpoint
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  /** the whole call's bound when it is not the default's (a renewal at the prompt) */
  boundMs?: number | undefined;
  debug?: Debug | undefined;
}

// A setting in the environment that the AWS calls cannot run with; refused before any request.
export class AwsSettingError extends UserError {}

// `https://user:password@host/`: the user info (up to the last @ of the authority, as URL parsers take it) is
// masked wherever an endpoint is shown.
const USER_INFO = /^([^:/?#]+:\/\/)([^/?#]*)@/;

export function maskedEndpoint(url: string): string {
  return url.replace(USER_INFO, '$1***@');
}

function userInfoOf(url: string | undefined): string | undefined {
  return url ? USER_INFO.exec(url)?.[2] : undefined;
}

// The endpoint's user info, wherever it might show up in a text (an SDK message quoting the URL): masked too.
export function hideUserInfo(text: string, target: AwsTarget): string {
  const info = userInfoOf(target.endpoint);
  if (!info) return text;
  let decoded = info;
  try {
    decoded = decodeURIComponent(info);
  } catch {
    // as typed, then
  }
  // A user info of a few characters is no secret, and masking it would garble the text.
  return [info, decoded].filter((secret) => secret.length >= 4).reduce((out, secret) => out.split(secret).join('***'), text);
}

// AWS_ENDPOINT_URL_STS / _ECR / _IAM, else AWS_ENDPOINT_URL, as the SDK reads them; refused unless an http(s) URL, as
// anything else would still be spoken to over HTTP.
export type AwsService = 'STS' | 'ECR' | 'IAM';

export function endpointFromEnv(env: Record<string, string | undefined>, service: AwsService): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const variable = env[`AWS_ENDPOINT_URL_${service}`] ? `AWS_ENDPOINT_URL_${service}` : 'AWS_ENDPOINT_URL';
  const value = env[variable];
  if (!value) return undefined;
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new AwsSettingError(
      `${variable}=${printable(maskedEndpoint(value))} is not an https:// or http:// URL: set it to one, e.g. https://sts.eu-west-1.amazonaws.com or http://localhost:4566, or unset it`,
    );
  }
  return value;
}

// AWS2FA_HTTP_TIMEOUT, in seconds, replaces both SDK timeouts: shorter for tests, longer for a slow link. Past a
// minute the whole-call bound would run into minutes, and past 2^31 ms Node's timers fire at once: refused.
const HTTP_TIMEOUT_RANGE_S = [0.1, 60] as const;

function httpTimeoutMs(env: Record<string, string | undefined>): number | undefined {
  const text = env.AWS2FA_HTTP_TIMEOUT?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  const [least, most] = HTTP_TIMEOUT_RANGE_S;
  if (!/^\d*\.?\d+$/.test(text) || seconds < least || seconds > most) {
    throw new AwsSettingError(
      `AWS2FA_HTTP_TIMEOUT=${printable(text)} is not a number of seconds from ${least} to ${most}: set one, or unset it for the default (3 s to connect, 10 s of silence)`,
    );
  }
  return Math.round(seconds * 1000);
}

// The same checks as targetFor, for a command to call before anything is asked or spent (an MFA code).
export function checkAwsSettings(env: Record<string, string | undefined>, service: AwsService): void {
  httpTimeoutMs(env);
  endpointFromEnv(env, service);
}

// A dead or hanging endpoint fails in seconds: 3 s to connect, 10 s for an answer, one retry. `quickMs` (the
// renewal the shell hook runs before drawing a prompt) bounds the whole call instead, in one try.
export function targetFor(env: Record<string, string | undefined>, service: AwsService, region: string, debug?: Debug, quickMs?: number): AwsTarget {
  const bound = httpTimeoutMs(env);
  const endpoint = endpointFromEnv(env, service);
  debug?.secret(userInfoOf(endpoint));
  if (quickMs !== undefined) {
    return { region, endpoint, connectTimeoutMs: quickMs, requestTimeoutMs: quickMs, maxAttempts: 1, boundMs: quickMs, debug };
  }
  return {
    region,
    endpoint,
    connectTimeoutMs: bound ?? 3_000,
    requestTimeoutMs: bound ?? 10_000,
    maxAttempts: 2,
    debug,
  };
}

// The SDK's timeouts bound connecting and each silence, not a whole answer: an endpoint that trickles a byte now
// and then would hold the run forever, and a Retry-After header may stretch the pause between tries. This bounds
// the whole call, every try and pause included: 2 × (3 s + 10 s) + 2 s = 28 s by default. (The SDK's own pause
// between two tries is under a second.)
export function callBoundMs(target: AwsTarget): number {
  if (target.boundMs !== undefined) return target.boundMs;
  const perTry = target.connectTimeoutMs + target.requestTimeoutMs;
  return target.maxAttempts * perTry + Math.min(2_000, perTry);
}

// Runs one SDK call (`(signal) => client.send(command, { abortSignal: signal })`) within callBoundMs: past it, the
// request is aborted and the call fails with a TimeoutError, whatever the SDK is doing at that moment.
export async function boundedCall<T>(target: AwsTarget, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const bound = callBoundMs(target);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`no complete answer within ${bound} ms`), { name: 'TimeoutError' });
      controller.abort(error);
      reject(error);
    }, bound);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeEndpoint(target: AwsTarget, service: 'sts' | 'api.ecr'): string {
  return target.endpoint ? maskedEndpoint(target.endpoint) : `https://${service}.${target.region}.amazonaws.com`;
}

export function requestHandlerOptions(target: AwsTarget) {
  return {
    connectionTimeout: target.connectTimeoutMs,
    requestTimeout: target.requestTimeoutMs,
    // Recent @smithy/node-http-handler only warns on requestTimeout unless told to throw.
    throwOnRequestTimeout: true,
  };
}
