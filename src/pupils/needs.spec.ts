import { NEED_CODES, needsProblems, type NeedsState } from './needs';

describe('needsProblems', () => {
  it.each<[string, NeedsState]>([
    ['no SEN, no needs', { senStatus: 'N' }],
    ['no SEN, needs explicitly null', { senStatus: 'N', primaryNeed: null, secondaryNeed: null }],
    ['SEN support with a primary need', { senStatus: 'K', primaryNeed: 'SPLD' }],
    ['SEN support with two needs', { senStatus: 'K', primaryNeed: 'SEMH', secondaryNeed: 'SLCN' }],
    ['SEN support, not assessed', { senStatus: 'K', primaryNeed: 'NSA' }],
    ['EHC plan with a primary need', { senStatus: 'E', primaryNeed: 'ASD' }],
    ['EHC plan with two needs', { senStatus: 'E', primaryNeed: 'DS', secondaryNeed: 'HI' }],
  ])('accepts %s', (_, state) => {
    expect(needsProblems(state)).toEqual([]);
  });

  it.each(NEED_CODES.filter((c) => c !== 'NSA'))('accepts %s as an EHC plan primary need', (code) => {
    expect(needsProblems({ senStatus: 'E', primaryNeed: code })).toEqual([]);
  });

  it.each<[string, NeedsState, [string, RegExp][]]>([
    ['no SEN with a primary need', { senStatus: 'N', primaryNeed: 'MLD' }, [['primaryNeed', /empty.*N/]]],
    ['no SEN with a secondary need', { senStatus: 'N', secondaryNeed: 'MLD' }, [['secondaryNeed', /empty.*N/]]],
    [
      'no SEN with both',
      { senStatus: 'N', primaryNeed: 'MLD', secondaryNeed: 'HI' },
      [
        ['primaryNeed', /empty/],
        ['secondaryNeed', /empty/],
      ],
    ],
    ['SEN support without a primary need', { senStatus: 'K' }, [['primaryNeed', /required when senStatus is K/]]],
    ['EHC plan without a primary need', { senStatus: 'E', primaryNeed: null }, [['primaryNeed', /required when senStatus is E/]]],
    ['NSA with an EHC plan', { senStatus: 'E', primaryNeed: 'NSA' }, [['primaryNeed', /only for SEN support/]]],
    ['NSA as a secondary need', { senStatus: 'K', primaryNeed: 'SPLD', secondaryNeed: 'NSA' }, [['secondaryNeed', /only be the primary/]]],
    ['a secondary need beside NSA', { senStatus: 'K', primaryNeed: 'NSA', secondaryNeed: 'SPLD' }, [['secondaryNeed', /empty when primaryNeed is NSA/]]],
    ['primary = secondary', { senStatus: 'K', primaryNeed: 'ASD', secondaryNeed: 'ASD' }, [['secondaryNeed', /differ/]]],
    [
      'a secondary without a primary',
      { senStatus: 'E', secondaryNeed: 'HI' },
      [
        ['primaryNeed', /required/],
        ['secondaryNeed', /needs a primaryNeed/],
      ],
    ],
    ['an unknown primary code', { senStatus: 'K', primaryNeed: 'ADHD' }, [['primaryNeed', /one of SPLD/]]],
    ['a lower-case code', { senStatus: 'K', primaryNeed: 'spld' }, [['primaryNeed', /one of SPLD/]]],
    ['an unknown secondary code', { senStatus: 'K', primaryNeed: 'MLD', secondaryNeed: 'XYZ' }, [['secondaryNeed', /one of SPLD/]]],
    ['an unknown status', { senStatus: 'S', primaryNeed: 'MLD' }, [['senStatus', /one of N, K, E/]]],
  ])('refuses %s', (_, state, expected) => {
    const problems = needsProblems(state);
    expect(problems.map((p) => p.field)).toEqual(expected.map(([field]) => field));
    expected.forEach(([, message], i) => expect(problems[i].message).toMatch(message));
  });
});
