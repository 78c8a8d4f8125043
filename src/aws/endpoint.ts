// Which URL a service is reached at, and the HTTP bounds, as the AWS SDK for JavaScript v3 decides from the
// environment; computed from the command's context so in-process runs see their own environment.

export interface AwsTarget {
  region: string;
  endpoint: string | undefined; // undefined: the SDK's own regional endpoint
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

export function endpointFromEnv(env: Record<string, string | undefined>, service: 'STS' | 'ECR'): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

// A dead or hanging endpoint fails in seconds: 3 s to connect, 10 s for an answer, one retry.
// AWS2FA_HTTP_TIMEOUT (seconds) shortens both, for tests and slow-network diagnosis.
export function targetFor(env: Record<string, string | undefined>, service: 'STS' | 'ECR', region: string): AwsTarget {
  const override = Number(env.AWS2FA_HTTP_TIMEOUT);
  const bound = Number.isFinite(override) && override > 0 ? override * 1000 : undefined;
  return {
    region,
    endpoint: endpointFromEnv(env, service),
    connectTimeoutMs: bound ?? 3_000,
    requestTimeoutMs: bound ?? 10_000,
    maxAttempts: 2,
  };
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
