import { isTemporaryUpn, normaliseUpn, UPN_FORMAT, upnCheckLetter, upnProblem } from './upn';

describe('upnProblem', () => {
  // B801200005001: 8x2 + 1x4 + 2x5 + 5x10 + 1x13 = 93; 93 mod 23 = 1 -> B.
  // P207000016049: 2x2 + 7x4 + 1x9 + 6x10 + 4x12 + 9x13 = 266; 266 mod 23 = 13 -> P.
  // M80120000500A (temporary): 8x2 + 1x4 + 2x5 + 5x10 + A(0)x13 = 80; 80 mod 23 = 11 -> M.
  // B80120000500B (temporary): as above + B(1)x13 = 93 -> B.
  // Z00000000000Z: Z is 22; 22x13 = 286; 286 mod 23 = 10 -> L, so L00000000000Z.
  it.each([
    ['B801200005001', 'a published example'],
    ['P207000016049', 'the census worked example, corrected'],
    ['A000000000000', 'all zeros: sum 0 -> A'],
    ['M80120000500A', 'a temporary UPN ending in A (value 0)'],
    ['B80120000500B', 'a temporary UPN ending in B (value 1)'],
    ['L00000000000Z', 'a temporary UPN ending in Z (value 22)'],
  ])('accepts %s (%s)', (upn) => {
    expect(upnProblem(upn)).toBeUndefined();
    expect(UPN_FORMAT.test(upn)).toBe(true);
  });

  it.each<[unknown, RegExp]>([
    ['A801200005001', /check letter that does not match/],
    ['Q207000016049', /check letter that does not match/], // the circulating slip: 267 mod 23 would be Q
    ['C801200005001', /check letter that does not match/],
    ['B801200005002', /check letter that does not match/], // last digit mistyped
    ['B801200005010', /check letter that does not match/], // two digits swapped
    ['A80120000500A', /check letter that does not match/], // temporary, wrong letter
    ['B80120000500', /13 characters.*not 12/],
    ['B8012000050011', /13 characters.*not 14/],
    ['', /13 characters.*not 0/],
    ['I801200005001', /check letter: A to Z except I, O and S/],
    ['O801200005001', /check letter: A to Z except I, O and S/],
    ['S801200005001', /check letter: A to Z except I, O and S/],
    ['1801200005001', /check letter/],
    ['B80120000500I', /temporary UPN a letter other than I, O and S/],
    ['B80120000500O', /temporary UPN a letter other than I, O and S/],
    ['B80120000500S', /temporary UPN a letter other than I, O and S/],
    ['B8012000050A1', /characters 2 to 12 must be digits/],
    ['BA01200005001', /characters 2 to 12 must be digits/],
    ['B 01200005001', /characters 2 to 12 must be digits/],
    ['b801200005001', /upper-case/],
    ['M80120000500a', /upper-case/],
    [801200005001, /must be a string/],
    [null, /must be a string/],
  ])('refuses %p', (upn, reason) => {
    expect(upnProblem(upn)).toMatch(reason);
  });

  it('every refusal of a well-formed UPN with the wrong letter names the check letter, whichever letter', () => {
    for (const letter of 'ABCDEFGHJKLMNPQRTUVWXYZ') {
      const problem = upnProblem(`${letter}801200005001`);
      if (letter === 'B') expect(problem).toBeUndefined();
      else expect(problem).toMatch(/check letter/);
    }
  });
});

describe('upnCheckLetter', () => {
  it.each([
    ['801200005001', 'B'],
    ['207000016049', 'P'],
    ['80120000500A', 'M'],
    // 1 x 13 = 13: value 13 is P, not N (A0 B1 ... H7 J8 ... M11 N12 P13; I and O are skipped).
    ['000000000001', 'P'],
    // 9 x 2 + ... + 9 x 13 = 9 x 90 = 810; 810 mod 23 = 5 -> F.
    ['999999999999', 'F'],
  ])('%s -> %s', (body, letter) => {
    expect(upnCheckLetter(body)).toBe(letter);
  });

  it('refuses a body of the wrong shape', () => {
    expect(() => upnCheckLetter('80120000500')).toThrow(RangeError);
    expect(() => upnCheckLetter('8012000050I1')).toThrow(RangeError);
  });
});

describe('normaliseUpn', () => {
  it.each([
    ['b801200005001', 'B801200005001'],
    ['  B801200005001 ', 'B801200005001'],
    ['m80120000500a', 'M80120000500A'],
  ])('%p -> %p', (typed, stored) => {
    expect(normaliseUpn(typed)).toBe(stored);
    expect(upnProblem(normaliseUpn(typed))).toBeUndefined();
  });
});

describe('isTemporaryUpn', () => {
  it.each([
    ['B801200005001', false],
    ['M80120000500A', true],
  ])('%s -> %p', (upn, temporary) => {
    expect(isTemporaryUpn(upn)).toBe(temporary);
  });
});
