import { nameKey } from './name-key';

describe('nameKey', () => {
  it.each([
    ['Smith', 'smith'],
    ['Zoë', 'zoe'],
    ['ZOË', 'zoe'],
    ['Zoe\u0308', 'zoe'], // already decomposed
    ['Renée', 'renee'],
    ['Ångström', 'angstrom'],
    ['Ñúñez', 'nunez'],
    ['Çelik', 'celik'],
    ['Łukasz', 'lukasz'],
    ['Søren', 'soren'],
    ['Strauß', 'strauss'],
    ['Æthelred', 'aethelred'],
    ['İlker', 'ilker'],
    ['O’Brien', 'obrien'],
    ["O'Brien", 'obrien'],
    ['Smith–Jones', 'smith-jones'],
    ['  de   la Cruz ', 'de la cruz'],
    ['Nguyễn', 'nguyen'],
    ['王', '王'],
  ])('%p -> %p', (name, key) => {
    expect(nameKey(name)).toBe(key);
  });
});
