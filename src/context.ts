import type { BaseContext } from 'clipanion';

// Asks a person on the terminal (prompt on stderr, answer from the terminal), never through stdout.
export interface Terminal {
  ask(question: string): Promise<string>;
}

export interface AppContext extends BaseContext {
  home: string;
  now(): Date;
  terminal: Terminal | null; // null: no terminal attached, so nothing can be asked
}
