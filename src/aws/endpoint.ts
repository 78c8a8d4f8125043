// Which URL a service is reached at, and the HTTP bounds, as the AWS SDK for JavaScript v3 decides from the
// environment; computed from the command's context so in-process runs see their own environment.

import type { Debug } from '../debug.js';

export interface AwsTarget {
  region: string;
  endpoint: string | undefined; // undefined: the SDK's own regional endpoint
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  debug?: Debug | undefined;
}

export function endpointFromEnv(env: Record<string, string | undefined>, service: 'STS' | 'ECR'): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

// A dead or hanging endpoint fails in seconds: 3 s to connect, 10 s for an answer, one retry.
// AWS2FA_HTTP_TIMEOUT (seconds) shortens both, for tests and slow-network diagnosis.
export function targetFor(env: Record<string, string | undefined>, service: 'STS' | 'ECR', region: string, debug?: Debug): AwsTarget {
  const override = Number(env.AWS2FA_HTTP_TIMEOUT);
  const bound = Number.isFinite(override) && override > 0 ? override * 1000 : undefined;
  return {
    region,
    endpoint: endpointFromEnv(env, service),
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
  return target.endpoint ?? `https://${service}.${target.region}.amazonaws.com`;
}

export function requestHandlerOptions(target: AwsTarget) {
  return {
    connectionTimeout: target.connectTimeoutMs,
    requestTimeout: target.requestTimeoutMs,
    // Recent @smithy/node-http-handler only warns on requestTimeout unless told to throw.
    throwOnRequestTimeout: true,
  };
}
