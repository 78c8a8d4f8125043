import { AwsRequestError } from '../errors.js';
import type { SessionKeys } from '../store/credentials.js';
import { limitAnswerSize } from './answer-limit.js';
import { logEachTry } from './debug-middleware.js';
import { boundedCall, describeEndpoint, requestHandlerOptions, type AwsTarget } from './endpoint.js';
import { describeAwsFailure } from './failures.js';

// What `docker login` needs for one region's registry. The password is a secret: it goes to docker's stdin only.
export interface RegistryLogin {
  proxyEndpoint: string; // https://123456789012.dkr.ecr.eu-west-1.amazonaws.com
  username: string;
  password: string;
}

// The SDK is loaded only here, so runs without --ecr never load it. The MFA session is passed as static
// credentials: ECR must see the session, not whatever the SDK's default chain would find.
export async function getRegistryLogin(target: AwsTarget, session: SessionKeys): Promise<RegistryLogin> {
  const ecr = await import('@aws-sdk/client-ecr');
  const client = new ecr.ECRClient({
    region: target.region,
    endpoint: target.endpoint,
    credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
    maxAttempts: target.maxAttempts,
    requestHandler: requestHandlerOptions(target),
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
    if (!data?.proxyEndpoint || colon <= 0 || colon === token.length - 1) {
      throw new AwsRequestError(`ECR at ${endpoint} answered without a usable authorization token; try again`);
    }
    return { proxyEndpoint: data.proxyEndpoint, username: token.slice(0, colon), password: token.slice(colon + 1) };
  } catch (error) {
    throw describeAwsFailure(error, { service: 'ECR', endpoint, keys: session, target });
  } finally {
    client.destroy();
  }
}
