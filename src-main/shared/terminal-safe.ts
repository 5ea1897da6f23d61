/**
 * Text from a run (its name, tags, notes, host, error; anything an import
 * brought in) goes to a terminal that obeys control characters: ESC starts
 * sequences that clear the screen, retitle the window or colour a fake
 * message, and C1 controls (U+0080 to U+009F) do the same on terminals that
 * read them. Every such character is shown escaped instead (`\x1b`), so the
 * text stays readable and nothing is executed. Bidirectional overrides are
 * escaped too: they make a line read differently from what it holds.
 */

/** C0 controls but tab and newline, DEL, C1 controls, bidi embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The same, plus tab and newline: for one-line places such as a table cell. */
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escape = (char: string): string => {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * `text` safe to print: control characters written out as escapes. Newlines
 * and tabs are kept unless `oneLine` (a cell, a name in a sentence).
 */
export function terminalSafe(text: string, options: { oneLine?: boolean } = {}): string {
  return text.replace(options.oneLine ? UNSAFE_ONE_LINE : UNSAFE, escape);
}

/**
 * JSON text safe to print: JSON.stringify already escapes C0 controls, but
 * not C1 or bidi characters; these are escaped as \u00XX, which any JSON
 * reader turns back into the same string.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
