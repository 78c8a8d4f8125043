import { Command, Option } from 'clipanion';
import { debugOption, FolderCommand, profileOption, isDuration, isRegion, serialOption } from './base.js';
import { sessionSummary } from './messages.js';
import { findBrowser, openInBrowser } from '../console/browser.js';
import { checkConsolePath, consoleDestination, loginUrl, signinEndpoint } from '../console/endpoints.js';
import { consoleSession } from '../console/session.js';
import { getSigninToken } from '../console/signin-token.js';
import { debugFor } from '../debug.js';
import { loneCodeAsCode } from '../mfa/code.js';
import { stsTarget } from '../mfa/session.js';
import { takeHeldSession } from '../profiles/held.js';
import { resolveProfile } from '../profiles/resolve.js';

export class ConsoleCommand extends FolderCommand {
  static override paths = [[`console`]];

  static override usage = Command.Usage({
    description: `open the AWS console in the browser, signed in with the profile's session`,
    details: `
      Signs the browser in to the AWS console with a session of PROFILE, as \`aws-vault login\` does: no password,
      no second MFA prompt in the browser. Nothing is written to any file.

      For a role profile (\`role_arn\` and \`source_profile\`) it is the role's session: this shell's own when
      \`aws2fa env login\` gave it that role with 5 minutes left, else assumed as env login would (the root session
      the shell hook holds, the root's file-mode session, else a new one with CODE, \`mfa_process\` or the
      terminal). \`--duration\` (default: duration_seconds, else 1 h) above 1 h assumes the role straight from the
      long-term keys with a code, and the console session then lasts as long.

      For a profile with long-term keys it is a federation session (STS GetFederationToken, named after your IAM
      user, allowed all that the user may do; \`--duration\`, default 1 h): a GetSessionToken session cannot sign
      in. Policies that require MFA for everything deny GetFederationToken: then use a role profile.

      With stdout on a terminal the URL is opened with \`$BROWSER\`, else \`xdg-open\` (\`open\` on macOS); with
      \`--print\`, or stdout not a terminal, the URL alone is printed. It signs in whoever has it for 15 minutes:
      it is never written to a file or a log, nor shown with \`--debug\`. The console opens in the profile's region
      (\`--region\`), on the page \`--path\` names.
    `,
    examples: [
      [`Open the console as the role admin (no code while the shell holds a session)`, `$0 console admin`],
      [`Give the code on the command line`, `$0 console admin 123456`],
      [`Open the S3 page for a 4-hour console session (assumed with the code)`, `$0 console admin 123456 --path s3/home --duration 4h`],
      [`Print the sign-in URL, e.g. for another browser profile`, `$0 console admin --print`],
      [`A profile with long-term keys (GetFederationToken), in eu-west-1`, `$0 console prod --region eu-west-1`],
    ],
  });

  override debug = debugOption(true);
  profileFlag = profileOption();
  duration = Option.String(`--duration,--lifespan`, {
    description: `Console session length: seconds, or 90m, 12h, 1h30m; 15m to 36h, 12h for a role (default 1h, or the role's duration_seconds)`,
    validator: isDuration,
  });
  serial = serialOption();
  region = Option.String(`--region`, { description: `Console and STS region (default: the profile region, AWS_REGION, us-east-1)`, validator: isRegion });
  page = Option.String(`--path`, { description: `A page of the console, e.g. s3/home or ec2/home#Instances: (default: console/home)` });
  print = Option.Boolean(`--print`, false, { description: `Print the sign-in URL on stdout instead of opening a browser (it signs in whoever has it, for 15 minutes)` });

  profile = Option.String({ required: false, name: `PROFILE` });
  code = Option.String({ required: false, name: `CODE` });

  async execute(): Promise<number> {
    // The hook's descriptor is read and closed before the browser could inherit it.
    await takeHeldSession(this.context.env);
    const page = this.page === undefined ? undefined : checkConsolePath(this.page);
    const words = loneCodeAsCode(this.context, this);
    const profile = await resolveProfile(this.context, { ...this, profile: words.profile });
    // Everything that can be refused is refused before a code is spent.
    const bounds = stsTarget(this.context, profile);
    const endpoint = signinEndpoint(this.context.env, profile.stsRegion);
    const destination = consoleDestination(profile.stsRegion, page);
    const browser = this.print || !this.context.stdoutIsTerminal ? undefined : findBrowser(this.context.env);

    const session = await consoleSession(this.context, profile, {
      code: words.code,
      serial: this.serial,
      durationSeconds: this.duration,
      otherFiles: this.directory !== undefined || this.name !== undefined,
    });
    const token = await getSigninToken({ endpoint, keys: session.keys, sessionDuration: session.sessionDuration, profile: profile.name, bounds });
    const url = loginUrl(endpoint.base, destination, token);
    debugFor(this.context).secret(url);
    const ends = session.sessionDuration ? new Date(this.context.now().getTime() + session.sessionDuration * 1000) : session.keys.expiration;
    const who = `${profile.name} (${session.how})`;
    if (browser) {
      this.context.terminal?.release?.();
      await openInBrowser(browser, url, this.context.env);
      this.context.stderr.write(`${sessionSummary(`The AWS console is open in the browser as ${who}`, ends, this.context.now())}\n`);
    } else {
      this.context.stdout.write(`${url}\n`);
      this.context.stderr.write(`${sessionSummary(`Sign-in URL for the AWS console as ${who}, to use within 15 minutes; the console session lasts`, ends, this.context.now())}\n`);
    }
    return 0;
  }
}
