import { requestHandlerOptions, type AwsTarget } from './endpoint.js';

// Everything an SDK client would otherwise look up itself, given explicitly. A setting left out is read by the SDK
// from the environment and then from ~/.aws/config and ~/.aws/credentials of AWS_PROFILE or default: whole files,
// parsed by the SDK's own reader (no size bound, a FIFO blocks it), with 50,000 profiles most of a login's time,
// and from a profile other than the one logged in (or outside --directory). The bundle has no such reader: it
// fails loudly should a setting ever be missing here (scripts/build.mjs, noSharedConfigFiles).
//
// The values are the SDK's own defaults. The endpoint is aws2fa's (src/aws/endpoint.ts reads AWS_ENDPOINT_URL,
// _STS, _ECR); FIPS and dual-stack endpoints are reached by naming them there, as the contract says.
export function clientSettings(target: AwsTarget) {
  return {
    region: target.region,
    endpoint: target.endpoint,
    ignoreConfiguredEndpointUrls: true, // endpoint_url of the files: the endpoint is decided above
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    maxAttempts: target.maxAttempts,
    retryMode: 'standard',
    defaultsMode: 'legacy' as const,
    requestHandler: requestHandlerOptions(target),
    disableClockSkewCorrection: false,
    authSchemePreference: [] as string[],
    sigv4aSigningRegionSet: async () => undefined,
    userAgentAppId: async () => undefined,
  };
}
