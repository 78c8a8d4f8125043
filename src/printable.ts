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
