import { type CallerRow, CallerRowCache } from './caller-cache';

const row = (id: string, tokenVersion = 0): CallerRow => ({
  id,
  email: `${id}@example.org`,
  role: 'CASEWORKER',
  schoolId: null,
  localityId: null,
  area: null,
  organisationId: null,
  active: true,
  tokenVersion,
  mustChangePassword: false,
});

type Step = ['put', string, number?] | ['putStale', string] | ['evict', string] | ['clear'] | ['advance', number];

/** TTL 1000 ms, at most 3 rows; after the steps, which ids are found (and with which token version). */
describe('CallerRowCache', () => {
  it.each<[string, Step[], Record<string, number | undefined>]>([
    ['keeps a row it was given', [['put', 'a']], { a: 0 }],
    ['keeps it until just before the TTL', [['put', 'a'], ['advance', 999]], { a: 0 }],
    ['drops it at the TTL', [['put', 'a'], ['advance', 1000]], { a: undefined }],
    ['a new put restarts the TTL', [['put', 'a'], ['advance', 600], ['put', 'a', 1], ['advance', 600]], { a: 1 }],
    ['evicts the oldest put when full', [['put', 'a'], ['put', 'b'], ['put', 'c'], ['put', 'd']], { a: undefined, b: 0, c: 0, d: 0 }],
    ['a re-put row counts as new', [['put', 'a'], ['put', 'b'], ['put', 'c'], ['put', 'a', 2], ['put', 'd']], { a: 2, b: undefined, c: 0, d: 0 }],
    ['evict drops one row', [['put', 'a'], ['put', 'b'], ['evict', 'a']], { a: undefined, b: 0 }],
    ['clear drops all', [['put', 'a'], ['put', 'b'], ['clear']], { a: undefined, b: undefined }],
    ['a read that raced an eviction is not kept', [['putStale', 'a']], { a: undefined }],
    ['a put after the eviction is kept', [['putStale', 'a'], ['put', 'a', 3]], { a: 3 }],
  ])('%s', (_, steps, expected) => {
    let now = 0;
    const cache = new CallerRowCache(1000, 3, () => now);
    for (const step of steps) {
      if (step[0] === 'put') cache.put(row(step[1], step[2]), cache.ticket());
      if (step[0] === 'putStale') {
        const ticket = cache.ticket(); // read starts
        cache.evict(step[1]); // the row changes meanwhile
        expect(cache.put(row(step[1]), ticket)).toBe(false);
      }
      if (step[0] === 'evict') cache.evict(step[1]);
      if (step[0] === 'clear') cache.clear();
      if (step[0] === 'advance') now += step[1];
    }
    const found = Object.fromEntries(Object.keys(expected).map((id) => [id, cache.get(id)?.tokenVersion]));
    expect(found).toEqual(expected);
    expect(cache.size).toBeLessThanOrEqual(3);
  });
});
