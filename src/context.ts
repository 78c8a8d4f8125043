import type { BaseContext } from 'clipanion';

// Asks a person on the terminal (prompt on stderr, answer from the terminal), never through stdout.
export interface Terminal {
  ask(question: string): Promise<string>;
  release?(): void; // gives the terminal back: line mode, echo on, nothing more read
}

export interface AppContext extends BaseContext {
  home: string;
  now(): Date;
  terminal: Terminal | null; // null: no terminal attached, so nothing can be asked
  stdoutIsTerminal?: boolean; // env login refuses to print secrets on the screen
  renewalDeadline?: number; // epoch ms: the hook's renewal (every AWS call of it, one try each) ends by then, not to hold the prompt
}
