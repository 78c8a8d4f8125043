import { AwsRequestError } from '../errors.js';
import type { SessionKeys } from '../store/credentials.js';
import { limitAnswerSize } from './answer-limit.js';
import { clientSettings } from './client-settings.js';
import { logEachTry } from './debug-middleware.js';
import { boundedCall, describeEndpoint, type AwsTarget } from './endpoint.js';
import { describeAwsFailure } from './failures.js';
import { isRegionName } from './regions.js';

// What `docker login` needs for one region's registry. The password is a secret: it goes to docker's stdin only.
export interface RegistryLogin {
  proxyEndpoint: string; // https://123456789012.dkr.ecr.eu-west-1.amazonaws.com
  username: string;
  password: string;
}

// The DNS suffixes of the AWS partitions (aws and aws-us-gov, aws-cn, aws-eusc, the isolated aws-iso*), as the
// SDK's partitions.json names them.
const AWS_DOMAINS = ['amazonaws.com', 'amazonaws.com.cn', 'amazonaws.eu', 'c2s.ic.gov', 'sc2s.sgov.gov', 'cloud.adc-e.uk', 'csp.hci.ic.gov'];
const REGISTRY = /^https:\/\/\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.([a-z0-9.-]+)$/;

// https://123456789012.dkr.ecr.eu-west-1.amazonaws.com, exactly: no path, no port, no user info, no other host.
export function isEcrRegistry(address: string): boolean {
  const match = REGISTRY.exec(address);
  return match !== null && isRegionName(match[1]!) && AWS_DOMAINS.includes(match[2]!);
}

// The SDK is loaded only here, so runs without --ecr never load it. The MFA session is passed as static
// credentials: ECR must see the session, not whatever the SDK's default chain would find.
export async function getRegistryLogin(target: AwsTarget, session: SessionKeys): Promise<RegistryLogin> {
  const ecr = await import('@aws-sdk/client-ecr');
  const client = new ecr.ECRClient({
    ...clientSettings(target),
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
  });
  logEachTry(client, 'ECR', target.debug);
  limitAnswerSize(client);
  const endpoint = describeEndpoint(target, 'api.ecr');
  try {
    const command = new ecr.GetAuthorizationTokenCommand({});
    const answer = await boundedCall(target, (abortSignal) => client.send(command, { abortSignal }));
    const data = answer.authorizationData?.[0];
    const token = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
    const colon = token.indexOf(':');
    // The user name (AWS) goes to docker's command line too, as the value of --username: a plain word only.
    const username = token.slice(0, Math.max(colon, 0));
    if (!data?.proxyEndpoint || !/^\w[\w.@+-]*$/.test(username) || colon === token.length - 1) {
      throw new AwsRequestError(`ECR at ${endpoint} answered without a usable authorization token; try again`);
    }
    // The address goes to docker's command line: anything but an ECR registry of AWS could be an option to it.
    if (!isEcrRegistry(data.proxyEndpoint)) {
      throw new AwsRequestError(
        `ECR at ${endpoint} answered with a registry that is not https://ACCOUNT.dkr.ecr.REGION. and an AWS domain; refusing it: check AWS_ENDPOINT_URL_ECR`,
      );
    }
    return { proxyEndpoint: data.proxyEndpoint, username, password: token.slice(colon + 1) };
  } catch (error) {
    throw describeAwsFailure(error, { service: 'ECR', endpoint, keys: session, target });
  } finally {
    client.destroy();
  }
}
