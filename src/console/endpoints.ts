import { BadInputError } from '../errors.js';
import { AwsSettingError, maskedEndpoint } from '../aws/endpoint.js';
import { printable } from '../printable.js';

// Where the sign-in endpoint and the console are, per partition, as aws-vault and the AWS documentation build them.

interface Partition {
  /** the federation endpoint's host */
  signin: string;
  /** the console's domain, after `REGION.` */
  console: string;
}

const PARTITIONS: Array<[prefix: string, partition: Partition]> = [
  ['cn-', { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' }],
  ['us-gov-', { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' }],
];
const AWS: Partition = { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' };

export function partitionOf(region: string): Partition {
  return PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? AWS;
}

export interface SigninEndpoint {
  /** `https://signin.aws.amazon.com`, or the URL of the variable that overrides it */
  base: string;
  /** the variable it came from, named in advice; undefined for AWS's own */
  variable: 'AWS_ENDPOINT_URL_SIGNIN' | 'AWS_ENDPOINT_URL' | undefined;
}

// AWS_ENDPOINT_URL_SIGNIN, else AWS_ENDPOINT_URL (as the SDK reads them for a service named signin), else the
// partition's own; an http(s) URL or refused before any request, as for STS.
export function signinEndpoint(env: Record<string, string | undefined>, region: string): SigninEndpoint {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() !== 'true') {
    const variable = env.AWS_ENDPOINT_URL_SIGNIN ? 'AWS_ENDPOINT_URL_SIGNIN' : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
    if (variable) {
      const value = env[variable]!;
      let protocol = '';
      try {
        protocol = new URL(value).protocol;
      } catch {
        // not a URL: refused below
      }
      if (protocol !== 'https:' && protocol !== 'http:') {
        throw new AwsSettingError(
          `${variable}=${printable(maskedEndpoint(value))} is not an https:// or http:// URL: set it to one, e.g. https://signin.aws.amazon.com, or unset it`,
        );
      }
      return { base: value, variable };
    }
  }
  return { base: `https://${partitionOf(region).signin}`, variable: undefined };
}

// `<base>/federation`, keeping a path the base URL has (a proxy's prefix).
export function federationUrl(base: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/federation`;
  url.search = '';
  url.hash = '';
  return url;
}

// A page of the console: `s3/home`, `ec2/home#Instances:`, `s3/buckets/logs?tab=objects`. Never another host: no
// scheme, no `//`, no backslash, nothing a terminal or a shell would act on.
export function checkConsolePath(path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  if (!/^[\x21-\x7e]*$/.test(trimmed) || trimmed.includes('\\') || /^[a-z][\w+.-]*:/i.test(trimmed) || trimmed.includes('..')) {
    throw new BadInputError(`--path ${JSON.stringify(printable(path))} is not a page of the console like s3/home or ec2/home#Instances:`);
  }
  return trimmed;
}

// `https://REGION.console.aws.amazon.com/console/home?region=REGION`, or the page asked for in that region.
export function consoleDestination(region: string, path = 'console/home'): string {
  const origin = `https://${region}.${partitionOf(region).console}`;
  const url = new URL(checkConsolePath(path) || 'console/home', `${origin}/`);
  if (url.origin !== origin) throw new BadInputError(`--path ${JSON.stringify(printable(path))} leaves the console: give a page like s3/home`);
  if (!url.searchParams.has('region')) url.searchParams.set('region', region);
  return url.toString();
}

// The URL that signs the browser in: `<base>/federation?Action=login&Issuer=aws2fa&Destination=…&SigninToken=…`.
export function loginUrl(base: string, destination: string, signinToken: string): string {
  const url = federationUrl(base);
  url.search = new URLSearchParams({ Action: 'login', Issuer: 'aws2fa', Destination: destination, SigninToken: signinToken }).toString();
  return url.toString();
}

// The account's own sign-in page (password and MFA): what still works when the keys cannot federate.
export function accountSigninPage(account: string, region: string): string {
  return `https://${account}.${partitionOf(region).signin}/console`;
}
