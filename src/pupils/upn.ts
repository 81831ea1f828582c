/**
 * Unique Pupil Numbers (DfE): 13 characters, a check letter then 12 characters (3-digit LA
 * number, 4-digit establishment number, 2-digit year, 3-digit serial). A temporary UPN ends in a
 * letter instead of the last digit.
 *
 * The check letter is the sum over positions 2 to 13 of (value x position), modulo 23, mapped
 * 0..22 to A B C D E F G H J K L M N P Q R T U V W X Y Z (no I, O or S); a temporary UPN's final
 * letter counts as its index in that same list (DOMAIN.md).
 *
 * Case: `upnProblem` is strict and refuses lower-case letters (a stored UPN is always upper-case,
 * as the census carries it). The API normalises what people type first (`normaliseUpn`: trim,
 * upper-case), so "b801200005001" is accepted there and stored as "B801200005001".
 */

/** Check letters, in the order of their values 0..22. */
export const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

export const UPN_LENGTH = 13;

/** The shape alone (also the `pupil_upn_format` CHECK): check letter, 11 digits, digit or letter. */
export const UPN_FORMAT = /^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$/;

/** What a person typed, in the form UPNs are stored and compared in: trimmed, upper-case. */
export function normaliseUpn(value: string): string {
  return value.trim().toUpperCase();
}

/** The value of character 13: a digit, or a temporary UPN's letter as its index in UPN_LETTERS. */
function lastValue(char: string): number | undefined {
  if (/^[0-9]$/.test(char)) return Number(char);
  const index = UPN_LETTERS.indexOf(char);
  return index >= 0 ? index : undefined;
}

/**
 * The check letter for the 12 characters after it (positions 2..13). Assumes they are well
 * formed: 11 digits then a digit or a check-list letter (see upnProblem).
 */
export function upnCheckLetter(body: string): string {
  if (body.length !== UPN_LENGTH - 1) throw new RangeError(`a UPN body has ${UPN_LENGTH - 1} characters, got ${body.length}`);
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    const position = i + 2;
    const value = i === body.length - 1 ? lastValue(body[i]) : /^[0-9]$/.test(body[i]) ? Number(body[i]) : undefined;
    if (value === undefined) throw new RangeError(`character ${position} of a UPN cannot be ${JSON.stringify(body[i])}`);
    sum += value * position;
  }
  return UPN_LETTERS[sum % 23];
}

/** Why a value is not a valid UPN, in words for a 400 on `upn`; undefined when it is valid. */
export function upnProblem(upn: unknown): string | undefined {
  if (typeof upn !== 'string') return 'must be a string of 13 characters';
  if (upn.length !== UPN_LENGTH) return `must be 13 characters (a check letter and 12 more), not ${upn.length}`;
  if (/[a-z]/.test(upn)) return 'must be in upper-case letters';
  const first = upn[0];
  if (!UPN_LETTERS.includes(first)) {
    return `must start with a check letter: A to Z except I, O and S (not ${JSON.stringify(first)})`;
  }
  if (!/^[0-9]{11}$/.test(upn.slice(1, 12))) return 'characters 2 to 12 must be digits';
  if (lastValue(upn[12]) === undefined) {
    return 'must end in a digit, or for a temporary UPN a letter other than I, O and S';
  }
  // The expected letter is deliberately not given: after a mistyped digit it would only produce
  // another valid-looking but wrong UPN.
  if (upnCheckLetter(upn.slice(1)) !== first) return 'has a check letter that does not match its digits (is a character mistyped?)';
  return undefined;
}

/** True for a temporary UPN (one that ends in a letter). Assumes a valid UPN. */
export function isTemporaryUpn(upn: string): boolean {
  return /[A-Z]$/.test(upn);
}
