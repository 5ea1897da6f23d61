/** `text` at most `max` characters long, marked where it was cut: a stored field stays within its limit. */
export function cutText(text: string, max: number): string {
  const mark = '… (cut)';
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - mark.length))}${mark}`;
}
