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
  quickCallMs?: number; // each AWS call's whole bound, one try: the hook's renewal must not hold the prompt
}
