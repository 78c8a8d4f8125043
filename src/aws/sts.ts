import { AwsRequestError } from '../errors.js';
import type { AccessKeys, SessionKeys } from '../store/credentials.js';
import { describeEndpoint, requestHandlerOptions, type AwsTarget } from './endpoint.js';
import { describeAwsFailure } from './failures.js';

export interface MfaRequest {
  serial: string;
  code: string;
  durationSeconds: number;
}

// The SDK is loaded only here, on the paths that call AWS. The keys are passed as static credentials, never the
// SDK's default chain, which would pick up environment or session keys.
async function stsClient(target: AwsTarget, keys: AccessKeys) {
  const sts = await import('@aws-sdk/client-sts');
  const client = new sts.STSClient({
    region: target.region,
    endpoint: target.endpoint,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    maxAttempts: target.maxAttempts,
    requestHandler: requestHandlerOptions(target),
  });
  return { sts, client };
}

export async function getSessionToken(target: AwsTarget, keys: AccessKeys, mfa: MfaRequest): Promise<SessionKeys> {
  const { sts, client } = await stsClient(target, keys);
  try {
    const answer = await client.send(
      new sts.GetSessionTokenCommand({ SerialNumber: mfa.serial, TokenCode: mfa.code, DurationSeconds: mfa.durationSeconds }),
    );
    const credentials = answer.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
      throw new AwsRequestError(`STS at ${describeEndpoint(target, 'sts')} answered without credentials; try again`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
  } catch (error) {
    throw describeAwsFailure(error, { service: 'STS', endpoint: describeEndpoint(target, 'sts'), keys, mfa, target });
  } finally {
    client.destroy();
  }
}

export async function getCallerAccount(target: AwsTarget, keys: AccessKeys): Promise<string> {
  const { sts, client } = await stsClient(target, keys);
  try {
    const answer = await client.send(new sts.GetCallerIdentityCommand({}));
    if (!answer.Account) throw new AwsRequestError(`STS answered GetCallerIdentity without an account id`);
    return answer.Account;
  } catch (error) {
    throw describeAwsFailure(error, { service: 'STS', endpoint: describeEndpoint(target, 'sts'), keys, target });
  } finally {
    client.destroy();
  }
}
