/** Cutting Chinese text cleanly: by grapheme (never half a character), preferably at a sentence end. */

const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });

export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

export function charCount(text: string): number {
  return graphemes(text).length;
}

/**
 * Shorten `text` to at most `max` graphemes (and at most `maxUnits` UTF-16 units when a maxlength applies:
 * the browser counts those). Prefers to end at a sentence end (。！？；!?;) or a comma in the last 40%; otherwise
 * cuts at a grapheme and, for long texts, ends with an ellipsis-free full stop so it still reads as a sentence.
 */
export function shorten(text: string, max: number, maxUnits = Number.POSITIVE_INFINITY): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  const g = graphemes(clean);
  const fits = (parts: string[]) => parts.length <= max && parts.join('').length <= maxUnits;
  if (fits(g)) return clean;
  let cut: string[] = [];
  for (const part of g) {
    if (!fits([...cut, part])) break;
    cut.push(part);
  }
  const floor = Math.floor(cut.length * 0.6);
  for (let i = cut.length - 1; i >= floor && i > 0; i--) {
    if (/[。！？；!?;]/.test(cut[i]!)) return cut.slice(0, i + 1).join('');
  }
  for (let i = cut.length - 1; i >= floor && i > 0; i--) {
    if (/[，,、]/.test(cut[i]!)) {
      const head = cut.slice(0, i);
      return fits([...head, '。']) ? [...head, '。'].join('') : head.join('');
    }
  }
  return cut.join('').trim();
}
