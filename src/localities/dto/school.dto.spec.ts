import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidatorOptions } from 'class-validator';
import { School } from '../school.entity';
import { CreateSchoolDto, SchoolQueryDto, SchoolView, UpdateSchoolDto } from './school.dto';

/** The global ValidationPipe's options (bootstrap.ts), so unknown fields fail here as they do over HTTP. */
const PIPE: ValidatorOptions = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };
const LOCALITY = '3f2b8c1e-5d4a-4c3b-9a8e-1f2d3c4b5a69';

function badFields<T extends object>(cls: new () => T, body: object): string[] {
  return validateSync(plainToInstance(cls, body), PIPE).map((e) => e.property);
}

const valid = { urn: '118712', name: 'Oakfield Primary School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: LOCALITY };

describe('CreateSchoolDto', () => {
  it('accepts a complete school', () => {
    expect(badFields(CreateSchoolDto, valid)).toEqual([]);
  });

  it.each([['11871'], ['1187123'], ['11871a'], [' 118712'], [118712]])('refuses the URN %p', (urn) => {
    const errors = validateSync(plainToInstance(CreateSchoolDto, { ...valid, urn }), PIPE);
    expect(errors.map((e) => e.property)).toEqual(['urn']);
  });

  it('refuses phases and kinds outside the contract, and a missing locality', () => {
    const { localityId: _omitted, ...withoutLocality } = valid;
    expect(badFields(CreateSchoolDto, { ...withoutLocality, phase: 'NURSERY', kind: 'ACADEMY' }).sort()).toEqual([
      'kind',
      'localityId',
      'phase',
    ]);
  });

  it('lower-cases the locality id, as every read shows ids', () => {
    expect(plainToInstance(CreateSchoolDto, { ...valid, localityId: LOCALITY.toUpperCase() }).localityId).toBe(LOCALITY);
  });
});

describe('UpdateSchoolDto', () => {
  it('accepts any subset of the fields, with or without the version', () => {
    expect(badFields(UpdateSchoolDto, { name: 'Oakfield Primary' })).toEqual([]);
    expect(badFields(UpdateSchoolDto, { kind: 'SPECIAL', version: 3 })).toEqual([]);
  });

  it('refuses null: every field of a school is required', () => {
    expect(badFields(UpdateSchoolDto, { name: null, localityId: null, version: 1 }).sort()).toEqual(['localityId', 'name']);
  });

  it('refuses fields a school does not have', () => {
    expect(badFields(UpdateSchoolDto, { id: LOCALITY, version: 1 })).toEqual(['id']);
  });
});

describe('SchoolQueryDto', () => {
  it('checks the filters', () => {
    expect(badFields(SchoolQueryDto, { localityId: LOCALITY, phase: 'SECONDARY', kind: 'PRU', q: 'oak', sort: '-urn', limit: '10' })).toEqual([]);
    expect(badFields(SchoolQueryDto, { localityId: 'x', phase: 'primary' }).sort()).toEqual(['localityId', 'phase']);
  });
});

describe('SchoolView.of', () => {
  it('answers the contract fields and nothing of the row’s internals', () => {
    const school = Object.assign(new School(), {
      ...valid,
      id: '0f8e5a3c-1b2d-4e6f-8a9b-0c1d2e3f4a5b',
      version: 2,
      createdAt: new Date('2025-01-06T09:00:00Z'),
      updatedAt: new Date('2025-02-06T09:00:00Z'),
    });
    expect(SchoolView.of(school)).toEqual({
      id: '0f8e5a3c-1b2d-4e6f-8a9b-0c1d2e3f4a5b',
      urn: '118712',
      name: 'Oakfield Primary School',
      phase: 'PRIMARY',
      kind: 'MAINSTREAM',
      localityId: LOCALITY,
      version: 2,
    });
  });
});
