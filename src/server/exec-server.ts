import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { UserError } from '../errors.js';
import type { ExecRequest } from '../exec/session.js';
import { runCommand } from '../exec/run.js';
import type { Witness } from '../exec/witness.js';
import { refuseCredentialsInConfigDefault } from './config-default.js';
import { startCredentialServer } from './credential-server.js';
import { serverEnvironment } from './environment.js';
import { makeScratchCredentials, type ScratchCredentials } from './scratch-credentials.js';
import { servedSession } from './served-session.js';
import { sessionsForServer } from './sessions.js';

// `aws2fa exec --server`: the command gets its credentials from aws2fa on 127.0.0.1, renewed while it runs, and
// never holds the root session. The server lives exactly as long as the command.
export async function execWithServer(context: AppContext, request: ExecRequest, argv: [string, ...string[]], witness: Promise<Witness | undefined>): Promise<number> {
  refuseCredentialsInConfigDefault(context);
  const sessions = await sessionsForServer(context, request);
  const { profile } = sessions;
  // 256 random bits, new for every run; masked should it ever reach a debug line.
  const token = randomBytes(32).toString(`hex`);
  debugFor(context).secret(token);
  const serve = servedSession({
    profile: profile.name,
    first: sessions.first,
    rootExpiration: sessions.root.expiration,
    ...(sessions.renew ? { renew: sessions.renew } : {}),
    now: () => context.now(),
  });
  let scratch: ScratchCredentials;
  try {
    scratch = makeScratchCredentials(context.env);
  } catch (error) {
    throw new UserError(`could not make a private folder for the command's empty credentials file: ${(error as Error).message}`);
  }
  try {
    const server = await startCredentialServer(token, serve);
    try {
      const session = { profile: profile.name, ...sessions.first, expiration: sessions.root.expiration, ...(profile.profileRegion ? { region: profile.profileRegion } : {}) };
      const env = serverEnvironment(context.env, session, { url: server.url, token, credentialsFile: scratch.path });
      debugFor(context)(`serving ${profile.name}'s credentials at ${server.url} while ${argv[0]} runs`);
      // From here on the terminal is the command's.
      context.terminal?.release?.();
      return await runCommand(context, argv, env, witness);
    } finally {
      await server.close();
    }
  } finally {
    scratch.remove();
  }
}
