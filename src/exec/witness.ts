import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

// Ctrl-C and Ctrl-\ at the terminal signal its whole foreground process group, so the command (it shares aws2fa's
// group) gets them from the terminal itself and must not get them a second time from aws2fa; a `kill -INT` aimed at
// aws2fa alone must be passed on. Node does not say who sent a signal, and whether aws2fa's group is the terminal's
// foreground group says nothing about one sent to aws2fa alone. A witness does: a small process in the same group
// that counts the SIGINTs and SIGQUITs it gets. A signal the witness got too was sent to the whole group, the command
// included. Nothing here reads /proc or asks ps: the same on Linux and macOS.

export type KeySignal = `SIGINT` | `SIGQUIT`;
export const KEY_SIGNALS: readonly string[] = [`SIGINT`, `SIGQUIT`];

// The witness answers each byte it reads with its counts, two turns of its event loop later: a signal delivered
// before the question arrived has been handled by then (its handler may run just after the poll that read the
// question, and is dispatched by the next poll). It ends when aws2fa closes its stdin, or dies.
const SCRIPT = `
const seen = { SIGINT: 0, SIGQUIT: 0 };
for (const signal of Object.keys(seen)) process.on(signal, () => seen[signal]++);
const answer = (count) => setImmediate(() => setImmediate(() => process.stdout.write(\`\${seen.SIGINT} \${seen.SIGQUIT}\\n\`.repeat(count))));
process.stdin.on('data', (chunk) => answer(chunk.length));
process.stdin.on('end', () => process.exit(0));
process.stdout.on('error', () => process.exit(0));
process.stdout.write('ready\\n');
`;

export interface Witness {
  // Whether the witness got this signal too (sent to the whole group); false when it cannot tell.
  sawToo(signal: KeySignal): Promise<boolean>;
  end(): void;
}

// Only a process with a controlling terminal can get a Ctrl-C typed there.
function hasControllingTerminal(): boolean {
  try {
    closeSync(openSync(`/dev/tty`, `r`));
    return true;
  } catch {
    return false;
  }
}

// A witness when a typed key could reach the command, started at once so that it is ready when the command starts
// (a Node start, done while the session is fetched); undefined without a controlling terminal, or when none could be
// started (aws2fa then passes every signal on).
export function witnessForTerminal(): Promise<Witness | undefined> {
  return hasControllingTerminal() ? startWitness() : Promise.resolve(undefined);
}

function startWitness(): Promise<Witness | undefined> {
  // No NODE_OPTIONS or other setting of the user's reaches it: it runs only the script above. (PATH only for a
  // Node found through it: without /proc, Linux gives Node no path to itself.)
  const env = process.env.PATH === undefined ? {} : { PATH: process.env.PATH };
  const child = spawn(process.execPath, [`-e`, SCRIPT], { env, stdio: [`pipe`, `pipe`, `ignore`] });
  const stdin = child.stdin!;
  const stdout = child.stdout!;
  stdin.on(`error`, () => undefined); // a witness that ended: its questions get no answer, handled on exit
  const answers: Array<(counts: number[] | undefined) => void> = [];
  const counted = { SIGINT: 0, SIGQUIT: 0 };
  let ended = false;
  let text = ``;
  return new Promise((resolve) => {
    const witness: Witness = {
      sawToo(signal) {
        if (ended) return Promise.resolve(false);
        const index = signal === `SIGINT` ? 0 : 1;
        return new Promise((answered) => {
          answers.push((counts) => {
            // One of the group's signals for each signal of aws2fa's: two Ctrl-C are two.
            const got = counts !== undefined && counts[index]! > counted[signal];
            if (got) counted[signal]++;
            answered(got);
          });
          stdin.write(`?`);
        });
      },
      end() {
        ended = true;
        stdin.end();
        child.kill();
      },
    };
    stdout.on(`data`, (chunk: Buffer) => {
      text += chunk.toString(`latin1`);
      let newline;
      while ((newline = text.indexOf(`\n`)) >= 0) {
        const line = text.slice(0, newline);
        text = text.slice(newline + 1);
        if (line === `ready`) {
          // Once ready, the witness must not keep aws2fa running after the command has ended.
          child.unref();
          for (const stream of [stdin, stdout]) (stream as unknown as { unref?: () => void }).unref?.();
          resolve(witness);
        }
        else answers.shift()?.(line.split(` `).map(Number));
      }
    });
    const gone = () => {
      ended = true;
      resolve(undefined);
      for (const answer of answers.splice(0)) answer(undefined);
    };
    child.on(`error`, gone);
    child.on(`exit`, gone);
  });
}
