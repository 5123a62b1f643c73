// Text that came from a file the agent may have written (a profile, a path) is shown, never sent
// to the terminal as it is: an escape sequence could hide or rewrite the lines around it.

/** Control characters (but newline and tab) and bidi overrides, as \u{..}. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu,
    (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

/** One line of text that came from such a file: newlines and tabs shown too, so a value cannot
 * start a line of its own (a forged "mounts (none)"). */
export function printableLine(text: string): string {
  return printable(text).replace(/[\n\r\t\u2028\u2029\u0085]/gu, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}
