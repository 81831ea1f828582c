import type { Caller } from './caller';
import { scopeConditions, scopeFilter, type ScopeColumns, type ScopeFilter } from './scope-filter';

const COLUMNS: ScopeColumns = { schoolId: 'p.school_id', localityId: 's.locality_id', area: 'l.area' };
const WITH_CASELOAD: ScopeColumns = { ...COLUMNS, caseload: 'EXISTS (x WHERE x.l = :scope_localityId)' };

describe('scopeConditions', () => {
  it.each<[string, ScopeFilter, ScopeColumns, string[], Record<string, string>]>([
    ['county: no condition', {}, COLUMNS, [], {}],
    ['one school', { schoolId: 'S1' }, COLUMNS, ['p.school_id = :scope_schoolId'], { scope_schoolId: 'S1' }],
    ['one locality', { localityId: 'L1' }, COLUMNS, ['s.locality_id = :scope_localityId'], { scope_localityId: 'L1' }],
    ['an area', { area: 'EAST' }, COLUMNS, ['l.area = :scope_area'], { scope_area: 'EAST' }],
    ['a misconfigured account: nothing', { nothing: true }, COLUMNS, ['false'], {}],
    ['no column for the restriction: nothing', { organisationId: 'O1' }, COLUMNS, ['false'], { scope_organisationId: 'O1' }],
    ['a user, no user column: nothing', { userId: 'U1' }, COLUMNS, ['false'], { scope_userId: 'U1' }],
    [
      'a caseload replaces the column test',
      { localityId: 'L1', caseload: 'LOCALITY' },
      WITH_CASELOAD,
      ['(EXISTS (x WHERE x.l = :scope_localityId))'],
      { scope_localityId: 'L1' },
    ],
    ['a caseload without its SQL: nothing', { localityId: 'L1', caseload: 'LOCALITY' }, COLUMNS, ['false'], { scope_localityId: 'L1' }],
  ])('%s', (_, filter, columns, conditions, parameters) => {
    expect(scopeConditions(filter, columns)).toEqual({ conditions, parameters });
  });

  it.each(['OWN_SCHOOL', 'OWN_LOCALITY', 'OWN_ORGANISATION', 'LOCALITY_CASELOAD', 'ORGANISATION_CASELOAD', 'SELF', 'ASSIGNED'] as const)(
    'never grants by omission: scope %s matches nothing on a record with no scope columns',
    (scope) => {
      const caller: Caller = {
        userId: 'U1',
        email: 'u@example.org',
        role: 'SENCO',
        schoolId: 'S1',
        localityId: 'L1',
        area: 'EAST',
        organisationId: 'O1',
        mustChangePassword: false,
      };
      expect(scopeConditions(scopeFilter(caller, scope), {}).conditions).toEqual(['false']);
    },
  );
});
