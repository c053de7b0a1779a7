/** Caller-supplied text is echoed into answers and logs at most this long. */
export const MAX_ECHO_LENGTH = 64;

/** `text` as it may be echoed back: cut to `max` characters, saying how long it was. */
export function echo(text: string, max = MAX_ECHO_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
