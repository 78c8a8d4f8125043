import type { Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { InterruptedError, MissingCodeError } from './errors.js';
import type { Terminal } from './context.js';
import { printable } from './printable.js';

// The question being asked, if any: a signal handler ends it without an answer. Closing readline takes the
// terminal out of raw mode, so echo is back before the process exits.
let openQuestion: (() => void) | undefined;

export function abandonQuestion(): void {
  openQuestion?.();
}

type TerminalInput = Readable & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };

// ONE reader for the whole run: a second readline on the same terminal would decode each key twice (a typed
// `123` became `112233` after the device question). Between questions the terminal is back in line mode, so
// Ctrl-C while AWS answers is the usual SIGINT, and the reader is paused, so it takes nothing meant for later.
// The streams are asked for only with a question: Node builds process.stdin at first use, about 2 ms that a run
// that asks nothing should not pay.
export function terminalOn(streams: () => { input: TerminalInput; output: Writable }): Terminal {
  let reader: Interface | undefined;
  let io: { input: TerminalInput; output: Writable } | undefined;

  const setRaw = (raw: boolean) => {
    if (io?.input.isTTY) io.input.setRawMode?.(raw);
  };
  const close = () => {
    const open = reader;
    reader = undefined;
    open?.removeAllListeners('close');
    open?.removeAllListeners('SIGINT');
    open?.close();
  };

  return {
    // readline is loaded only when a question is asked, not at every start.
    async ask(question) {
      const { createInterface } = await import('node:readline');
      io ??= streams();
      const { output } = io;
      if (reader) setRaw(true);
      reader ??= createInterface({ input: io.input, output, terminal: true });
      const current = reader;
      return new Promise((resolve, reject) => {
        const end = (error: Error) => {
          openQuestion = undefined;
          close();
          output.write('\n');
          reject(error);
        };
        // In raw mode Ctrl-C reaches readline, not the process: turn it into the usual exit 130.
        current.once('SIGINT', () => end(new InterruptedError('SIGINT')));
        // Ctrl-D on an empty line closes the reader: end the prompt's line as a shell does.
        current.once('close', () => end(new MissingCodeError('no answer: the terminal input ended (Ctrl-D)')));
        openQuestion = () => {
          openQuestion = undefined;
          close();
          output.write('\n');
        };
        // Questions name profiles and paths: shown printable, the space after the colon kept.
        current.question(`${printable(question)}${question.endsWith(' ') ? ' ' : ''}`, (answer) => {
          openQuestion = undefined;
          current.removeAllListeners('SIGINT');
          current.removeAllListeners('close');
          current.pause();
          setRaw(false);
          resolve(answer.trim());
        });
      });
    },
    // Gives the terminal back (line mode, echo on, input no longer read): at the end of the run, and before a
    // command of exec takes it over.
    release: close,
  };
}
