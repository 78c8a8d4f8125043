import type { ChildProcess } from 'node:child_process';

export interface Finished {
  status: number | null; // null when ended by a signal
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// A child's whole output once it has ended. Always asynchronous: the fake AWS endpoint runs in the test
// process and must keep answering while the child runs.
export function finished(child: ChildProcess): Promise<Finished> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}
