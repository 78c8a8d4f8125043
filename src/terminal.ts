import type { Readable, Writable } from 'node:stream';
import { InterruptedError, MissingCodeError } from './errors.js';
import type { Terminal } from './context.js';

// The question being asked, if any: a signal handler ends it without an answer. Closing readline takes the
// terminal out of raw mode, so echo is back before the process exits.
let openQuestion: (() => void) | undefined;

export function abandonQuestion(): void {
  openQuestion?.();
}

// The streams are asked for only with a question: Node builds process.stdin at first use, about 2 ms that a run
// that asks nothing should not pay.
export function terminalOn(streams: () => { input: Readable; output: Writable }): Terminal {
  return {
    // readline is loaded only when a question is asked, not at every start.
    async ask(question) {
      const { createInterface } = await import('node:readline');
      const { input, output } = streams();
      return new Promise((resolve, reject) => {
        const reader = createInterface({ input, output, terminal: true });
        // In raw mode Ctrl-C reaches readline, not the process: turn it into the usual exit 130.
        // close() emits 'close' at once, which would report a closed terminal instead: reject first.
        reader.on('SIGINT', () => {
          openQuestion = undefined;
          reject(new InterruptedError('SIGINT'));
          reader.removeAllListeners('close');
          reader.close();
          output.write('\n');
        });
        reader.on('close', () => {
          openQuestion = undefined;
          reject(new MissingCodeError('the terminal closed before an answer was given'));
        });
        openQuestion = () => {
          openQuestion = undefined;
          reader.removeAllListeners('close');
          reader.close();
          output.write('\n');
        };
        reader.question(question, (answer) => {
          openQuestion = undefined;
          reader.removeAllListeners('close');
          reader.close();
          resolve(answer.trim());
        });
      });
    },
  };
}
