/** Letters that carry no combining mark to strip, folded the way people type them. */
const FOLDS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * The search and sort key of a name: lower-case, accents stripped (NFD, then the combining
 * marks removed), apostrophes dropped, hyphen and space runs made plain. "Zoë" -> "zoe",
 * "O’Brien" -> "obrien", "Łukasz" -> "lukasz". The same function keys the stored names and the
 * typed query, so a prefix of one is a prefix of the other.
 */
export function nameKey(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßæœøłđðþı]/g, (c) => FOLDS[c])
    .replace(/['’‘ʼ`´]/g, '')
    .replace(/[‐‑‒–—]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}
