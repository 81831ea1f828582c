import { academicYearStart } from '../common/dates/calendar-date';
import { upnCheckLetter } from '../pupils/upn';
import { checkPupilRow } from './pupil-row';

const today = '2026-11-28';
const academicYear = Number(academicYearStart(today).slice(0, 4));
const dobFor = (yearGroup: number) => `${academicYear - 4 - yearGroup}-01-15`;
const upn = (() => {
  const body = '886300100001';
  return `${upnCheckLetter(body)}${body}`;
})();
const cells = (overrides: Partial<Record<string, string>> = {}) => ({
  upn,
  firstName: 'Zoë',
  lastName: 'O’Brien',
  dateOfBirth: dobFor(4),
  yearGroup: '',
  schoolUrn: '118246',
  senStatus: 'K',
  primaryNeed: 'SLCN',
  secondaryNeed: '',
  ...overrides,
});
const fields = (overrides: Partial<Record<string, string>>) => checkPupilRow(2, cells(overrides), today).errors.map((e) => e.field);

describe('checkPupilRow (the rules of POST /pupils, one CSV row)', () => {
  it('stages a valid row with its name keys and year offset', () => {
    const { row, errors } = checkPupilRow(7, cells({ upn: upn.toLowerCase(), yearGroup: '5', senStatus: 'k', primaryNeed: 'slcn', secondaryNeed: 'SEMH' }), today);
    expect(errors).toEqual([]);
    expect(row).toEqual({
      line: 7,
      upn,
      firstName: 'Zoë',
      lastName: 'O’Brien',
      firstNameKey: 'zoe',
      lastNameKey: 'obrien',
      dateOfBirth: dobFor(4),
      yearOffset: 1,
      schoolUrn: '118246',
      senStatus: 'K',
      primaryNeed: 'SLCN',
      secondaryNeed: 'SEMH',
    });
  });

  it.each([
    ['a wrong check letter', { upn: `${upn[0] === 'A' ? 'B' : 'A'}${upn.slice(1)}` }, ['upn']],
    ['a missing UPN', { upn: '' }, ['upn']],
    ['an impossible date', { dateOfBirth: '2025-02-30' }, ['dateOfBirth']],
    ['a date in another format', { dateOfBirth: '14/03/2016' }, ['dateOfBirth']],
    ['a child too young', { dateOfBirth: `${academicYear - 2}-01-15` }, ['dateOfBirth']],
    ['a year group two away', { yearGroup: '6' }, ['yearGroup']],
    ['a year group out of range', { yearGroup: '12' }, ['yearGroup']],
    ['an unknown need', { primaryNeed: 'XYZ' }, ['primaryNeed']],
    ['needs with status N', { senStatus: 'N' }, ['primaryNeed']],
    ['no need with status E', { senStatus: 'E', primaryNeed: '' }, ['primaryNeed']],
    ['a bad URN', { schoolUrn: '12345' }, ['schoolUrn']],
    ['an empty name', { firstName: '' }, ['firstName']],
    ['a control character', { lastName: 'A\tB' }, ['lastName']],
    ['a bad status', { senStatus: 'X' }, ['senStatus']],
  ])('reports %s', (_name, overrides, expected) => {
    expect(fields(overrides)).toEqual(expected);
  });

  it('keeps the database keys of a row with other errors, so those checks run too', () => {
    const { row } = checkPupilRow(3, cells({ dateOfBirth: 'nope' }), today);
    expect(row).toMatchObject({ upn, schoolUrn: '118246', firstName: null, senStatus: null });
  });
});
