/**
 * Checks of option values shared by several commands, so each refuses the
 * same input with the same words.
 */
import { UsageError } from '../errors.js';

/** A title becomes the record's heading and file name: one line, of a readable length. */
export const MAX_TITLE_LENGTH = 150;

/**
 * `--title` as the record will use it (spaces collapsed), or undefined when
 * not given. Empty, multi-line, control characters and overlong titles are
 * refused: each would make a record nobody meant.
 */
export function checkTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const collapsed = title.replace(/[ \t]+/g, ' ').trim();
  if (collapsed === '') {
    throw new UsageError('--title is empty.', { hint: 'Give the record a title, or leave the option out to use one derived from the decision.' });
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(collapsed)) {
    throw new UsageError('--title contains a line break or another control character; a title is one line of text.');
  }
  if ([...collapsed].length > MAX_TITLE_LENGTH) {
    throw new UsageError(`--title is ${[...collapsed].length} characters long; keep it to ${MAX_TITLE_LENGTH} or fewer.`, {
      hint: 'It becomes the heading and the file name of the record; put the details in the record itself.',
    });
  }
  return collapsed;
}
