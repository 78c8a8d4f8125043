import { checkAwsSettings, targetFor } from '../aws/endpoint.js';
import { getRegistryLogin } from '../aws/ecr.js';
import { getCallerAccount } from '../aws/sts.js';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { dockerLogin, dockerLogout, findDockerClient, type DockerClient } from '../docker.js';
import type { AccessKeys, SessionKeys } from '../store/credentials.js';
import type { ResolvedProfile } from '../profiles/resolve.js';

// docker login / logout for the account's ECR registries, one region at a time as far as the user can tell:
// every region is tried, each reports its own line on stderr, and the result says whether all of them worked.

// The option values of a command that takes --ecr, --ecr-region and --docker-command.
export interface EcrOptions {
  ecr: boolean;
  ecrRegion: string[] | undefined;
  dockerCommand: string | undefined;
}

export interface EcrRequest {
  regions: string[];
  client: DockerClient;
}

export function wantsEcr(options: EcrOptions): boolean {
  return options.ecr || (options.ecrRegion?.length ?? 0) > 0;
}

// The profile's own region first (the registry most people mean), then every --ecr-region, each once.
export function ecrRegions(options: EcrOptions, profile: Pick<ResolvedProfile, 'profileRegion' | 'stsRegion'>): string[] {
  return [...new Set([profile.profileRegion ?? profile.stsRegion, ...(options.ecrRegion ?? [])])];
}

// null without --ecr/--ecr-region. Called before the MFA code is spent: a missing docker is found while nothing
// has happened yet.
export async function ecrRequest(
  options: EcrOptions,
  context: AppContext,
  profile: Pick<ResolvedProfile, 'profileRegion' | 'stsRegion'>,
): Promise<EcrRequest | null> {
  if (!wantsEcr(options)) return null;
  checkAwsSettings(context.env, 'ECR');
  return { regions: ecrRegions(options, profile), client: await findDockerClient(options.dockerCommand, context.env) };
}

// docker and podman rewrite one config file per login (read, modify, write): two at once can lose an entry. The
// AWS calls run concurrently; the client runs one call at a time.
function oneAtATime(): <T>(job: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (job) => {
    const result = tail.then(job);
    tail = result.catch(() => undefined);
    return result;
  };
}

function reasonOf(error: unknown, secret?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return secret ? message.split(secret).join('***') : message;
}

function hostOf(registry: string): string {
  return registry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

// As ECR's own proxyEndpoint names it; China's partition has its own domain.
export function registryFor(account: string, region: string): string {
  return `https://${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

function reportFailures(context: AppContext, what: string, failed: string[], after: string): void {
  if (failed.length > 0) context.stderr.write(`aws2fa: ${what} failed for ECR in ${failed.join(', ')}${after}\n`);
}

export async function loginRegistries(context: AppContext, session: SessionKeys, request: EcrRequest): Promise<boolean> {
  const inTurn = oneAtATime();
  const succeeded = await Promise.all(
    request.regions.map(async (region) => {
      let password: string | undefined;
      try {
        const login = await getRegistryLogin(targetFor(context.env, 'ECR', region, debugFor(context)), session);
        password = login.password;
        debugFor(context).secret(password);
        await inTurn(() => dockerLogin(request.client, context.env, login));
        context.stderr.write(`ECR ${region}: logged in to ${hostOf(login.proxyEndpoint)}\n`);
        return true;
      } catch (error) {
        context.stderr.write(`ECR ${region}: failed: ${reasonOf(error, password)}\n`);
        return false;
      }
    }),
  );
  const failed = request.regions.filter((_, index) => !succeeded[index]);
  reportFailures(context, `${request.client.name} login`, failed, `; the MFA session itself stands`);
  return failed.length === 0;
}

// The account whose registries `login --ecr` logged in to: ECR names the caller's own. For a role profile that is
// the role's account, in its ARN (the last hop: the role the session is for); for a plain profile the user's, which
// GetCallerIdentity gives for the long-term keys (it needs no MFA and no permission).
async function registryAccount(context: AppContext, profile: RegistryOwner): Promise<string> {
  const role = profile.hops.at(-1);
  const inArn = role && /^arn:[\w-]+:iam::(\d{12}):role\//.exec(role.roleArn)?.[1];
  if (inArn) return inArn;
  return getCallerAccount(targetFor(context.env, 'STS', profile.stsRegion, debugFor(context)), profile.longTerm.keys);
}

export type RegistryOwner = Pick<ResolvedProfile, 'hops' | 'stsRegion'> & { longTerm: { keys: AccessKeys } };

export async function logoutRegistries(context: AppContext, profile: RegistryOwner, request: EcrRequest): Promise<boolean> {
  let account: string;
  try {
    account = await registryAccount(context, profile);
  } catch (error) {
    context.stderr.write(`aws2fa: ECR: cannot tell which account's registries to log out of: ${reasonOf(error)}\n`);
    return false;
  }
  const inTurn = oneAtATime();
  const succeeded = await Promise.all(
    request.regions.map(async (region) => {
      const registry = registryFor(account, region);
      try {
        const outcome = await inTurn(() => dockerLogout(request.client, context.env, registry));
        context.stderr.write(`ECR ${region}: ${outcome.notLoggedIn ? `was not logged in to` : `logged out of`} ${hostOf(registry)}\n`);
        return true;
      } catch (error) {
        context.stderr.write(`ECR ${region}: failed: ${reasonOf(error)}\n`);
        return false;
      }
    }),
  );
  const failed = request.regions.filter((_, index) => !succeeded[index]);
  reportFailures(context, `${request.client.name} logout`, failed, ``);
  return failed.length === 0;
}
