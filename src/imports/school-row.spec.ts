import { checkSchoolRow, phaseFromAges } from './school-row';

const row = (cells: Partial<Record<string, string>>) => ({
  urn: '118246',
  name: 'Maypole Primary School',
  phase: 'Primary',
  type: 'Community school',
  localityCode: 'DA-1',
  status: 'Open',
  lowAge: '',
  highAge: '',
  ...cells,
});

describe('checkSchoolRow (GIAS extract rows)', () => {
  it.each([
    ['Primary', 'Community school', 'PRIMARY', 'MAINSTREAM'],
    ['Secondary', 'Academy converter', 'SECONDARY', 'MAINSTREAM'],
    ['Middle deemed primary', 'Voluntary aided school', 'MIDDLE', 'MAINSTREAM'],
    ['Middle deemed secondary', 'Foundation school', 'MIDDLE', 'MAINSTREAM'],
    ['All-through', 'Free schools', 'ALL_THROUGH', 'MAINSTREAM'],
    ['Secondary', 'Community special school', 'SECONDARY', 'SPECIAL'],
    ['Primary', 'Academy special sponsor led', 'PRIMARY', 'SPECIAL'],
    ['Secondary', 'Pupil referral unit', 'SECONDARY', 'PRU'],
    ['Secondary', 'Academy alternative provision converter', 'SECONDARY', 'PRU'],
    ['All-through', 'Other independent school', 'ALL_THROUGH', 'INDEPENDENT'],
    ['  primary ', 'COMMUNITY SCHOOL', 'PRIMARY', 'MAINSTREAM'],
  ])('%s / %s -> %s %s', (phase, type, expectedPhase, expectedKind) => {
    const result = checkSchoolRow(2, row({ phase, type }));
    expect(result).toMatchObject({ skip: false, errors: [], row: { phase: expectedPhase, kind: expectedKind, urn: '118246', localityCode: 'DA-1' } });
  });

  it('takes a "Not applicable" phase from the statutory age range, or asks for it', () => {
    expect(checkSchoolRow(2, row({ phase: 'Not applicable', type: 'Community special school', lowAge: '2', highAge: '19' }))).toMatchObject({
      row: { phase: 'ALL_THROUGH', kind: 'SPECIAL' },
    });
    const missing = checkSchoolRow(2, row({ phase: 'Not applicable' }));
    expect(missing).toMatchObject({ skip: false, errors: [{ field: 'PhaseOfEducation (name)' }] });
  });

  it.each([
    ['closed', { status: 'Closed' }],
    ['nursery phase', { phase: 'Nursery' }],
    ['16 plus', { phase: '16 plus', type: 'Academy converter' }],
    ['further education', { type: 'Further education', phase: 'Not applicable' }],
  ])('skips a row outside the register: %s', (_name, cells) => {
    expect(checkSchoolRow(2, row(cells))).toMatchObject({ skip: true });
  });

  it('reports each bad cell', () => {
    const result = checkSchoolRow(5, row({ urn: '12345', name: '', phase: 'Kindergarten', type: 'Space academy', localityCode: 'bad code!' }));
    expect(result.skip).toBe(false);
    if (result.skip) return;
    expect(result.errors.map((e) => e.field).sort()).toEqual(
      ['EstablishmentName', 'PhaseOfEducation (name)', 'TypeOfEstablishment (name)', 'URN', 'localityCode'].sort(),
    );
    expect(result.row).toMatchObject({ urn: null, localityCode: null, name: null });
  });

  it.each([
    [4, 11, 'PRIMARY'],
    [11, 16, 'SECONDARY'],
    [11, 18, 'SECONDARY'],
    [9, 13, 'MIDDLE'],
    [2, 19, 'ALL_THROUGH'],
    [2, 5, null],
    [16, 19, null],
  ])('phaseFromAges(%i, %i) = %s', (low, high, phase) => {
    expect(phaseFromAges(low, high)).toBe(phase);
  });
});
