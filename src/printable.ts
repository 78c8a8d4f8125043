// Text from outside (an AWS error message or code, a client's output, an endpoint or a name from the environment or
// a file) as one line that a terminal shows as it is: no escape sequence can recolour, retitle or rewrite it, and
// no line break can forge a second line of ours.

// CSI (colours, cursor moves) and OSC (window titles, links) sequences, 7-bit and 8-bit: removed whole, so no
// `[31m` is left behind.
const ESCAPE_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
// Line and paragraph breaks of any kind, and tabs: a space, so words stay apart.
const BREAK = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// Every other C0 and C1 control, DEL, and the bidirectional overrides that reorder what is shown.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(BREAK, ' ').replace(CONTROL, '').replace(/ {2,}/g, ' ').trim();
}

// Lines of ours that carry such text (a profile or section name, a path, a variable's value): each made printable,
// each ended with a line break.
export function printableLines(...lines: string[]): string {
  return lines.map((line) => `${printable(line)}\n`).join('');
}

// JSON for scripts keeps every value exact: JSON.stringify escapes C0 itself; C1, DEL, the line separators and the
// bidirectional overrides become \u escapes too (the same string to any parser), so none reaches a terminal raw.
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_IN_JSON, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Text that a terminal would show as it is: no control character, no line break, no reordering mark.
export function isPrintable(text: string): boolean {
  return text.replace(BREAK, '').replace(CONTROL, '') === text;
}
