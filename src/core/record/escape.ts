/**
 * Text typed by a person (a record title) placed into Markdown as plain text:
 * every character that could start emphasis, a link, code, raw HTML, an
 * entity or a heading's closing sequence is backslash-escaped, so
 * `</details>` or `*urgent*` shows as typed and cannot change the record.
 */
const INLINE_SPECIALS = /[\\`*_[\]<>&~#|!]/g;

export function escapeInline(text: string): string {
  return text.replace(INLINE_SPECIALS, (char) => `\\${char}`);
}
