import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { InterruptedError, MissingCodeError } from './errors.js';
import type { Terminal } from './context.js';

export function terminalOn(input: Readable, output: Writable): Terminal {
  return {
    ask(question) {
      return new Promise((resolve, reject) => {
        const reader = createInterface({ input, output, terminal: true });
        // In raw mode Ctrl-C reaches readline, not the process: turn it into the usual exit 130.
        reader.on('SIGINT', () => {
          reader.close();
          output.write('\n');
          reject(new InterruptedError('SIGINT'));
        });
        reader.on('close', () => reject(new MissingCodeError('the terminal closed before an answer was given')));
        reader.question(question, (answer) => {
          reader.removeAllListeners('close');
          reader.close();
          resolve(answer.trim());
        });
      });
    },
  };
}
