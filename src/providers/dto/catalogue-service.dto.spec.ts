import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidatorOptions } from 'class-validator';
import { CatalogueService } from '../service.entity';
import { CatalogueServiceView, CreateCatalogueServiceDto, UpdateCatalogueServiceDto } from './catalogue-service.dto';

/** The global ValidationPipe's options (bootstrap.ts), so unknown fields fail here as they do over HTTP. */
const PIPE: ValidatorOptions = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };
const ORGANISATION = '9b1d6f0a-2c3e-4f5a-8b7c-6d5e4f3a2b1c';

function badFields<T extends object>(cls: new () => T, body: object): string[] {
  return validateSync(plainToInstance(cls, body), PIPE)
    .map((e) => e.property)
    .sort();
}

const valid = { code: 'STLS', name: 'Specialist Teaching and Learning Service', organisationId: ORGANISATION, unit: 'HOURS' };

describe('CreateCatalogueServiceDto', () => {
  it.each([['SALT'], ['STLS'], ['HNF'], ['EP'], ['OT_2025'], ['SRP-PLACES'], ['1A'], ['A'.repeat(20)]])('accepts the code %p', (code) => {
    expect(badFields(CreateCatalogueServiceDto, { ...valid, code })).toEqual([]);
  });

  // The same rule as the service_code_format CHECK in the migration.
  it.each([['S'], ['salt'], ['Salt'], ['-SALT'], ['_SALT'], ['SA LT'], ['A'.repeat(21)], ['SALT\n']])('refuses the code %p', (code) => {
    expect(badFields(CreateCatalogueServiceDto, { ...valid, code })).toEqual(['code']);
  });

  it('takes an optional delivery-start override of 1 to 52 whole weeks', () => {
    expect(badFields(CreateCatalogueServiceDto, { ...valid, deliveryStartWeeks: 6 })).toEqual([]);
    expect(badFields(CreateCatalogueServiceDto, { ...valid, deliveryStartWeeks: null })).toEqual([]);
    for (const weeks of [0, 53, 2.5, '6']) {
      expect(badFields(CreateCatalogueServiceDto, { ...valid, deliveryStartWeeks: weeks })).toEqual(['deliveryStartWeeks']);
    }
  });

  it('refuses units outside the contract', () => {
    expect(badFields(CreateCatalogueServiceDto, { ...valid, unit: 'MINUTES' })).toEqual(['unit']);
  });
});

describe('UpdateCatalogueServiceDto', () => {
  it('changes name, organisation and the override only; code and unit are fixed', () => {
    expect(badFields(UpdateCatalogueServiceDto, { name: 'STLS time', organisationId: ORGANISATION, deliveryStartWeeks: 8, version: 1 })).toEqual([]);
    expect(badFields(UpdateCatalogueServiceDto, { code: 'NEW', unit: 'GBP', version: 1 })).toEqual(['code', 'unit']);
  });

  it('removes the override with null, but never the name or the organisation', () => {
    expect(badFields(UpdateCatalogueServiceDto, { deliveryStartWeeks: null, version: 1 })).toEqual([]);
    expect(badFields(UpdateCatalogueServiceDto, { name: null, organisationId: null, version: 1 })).toEqual(['name', 'organisationId']);
  });
});

describe('CatalogueServiceView.of', () => {
  const row = Object.assign(new CatalogueService(), {
    ...valid,
    id: '0f8e5a3c-1b2d-4e6f-8a9b-0c1d2e3f4a5b',
    version: 1,
    createdAt: new Date('2025-01-06T09:00:00Z'),
    updatedAt: new Date('2025-01-06T09:00:00Z'),
  });

  it('answers the contract fields and nothing of the row’s internals', () => {
    expect(CatalogueServiceView.of({ ...row, deliveryStartWeeks: 6 })).toEqual({
      id: '0f8e5a3c-1b2d-4e6f-8a9b-0c1d2e3f4a5b',
      code: 'STLS',
      name: 'Specialist Teaching and Learning Service',
      organisationId: ORGANISATION,
      unit: 'HOURS',
      deliveryStartWeeks: 6,
      version: 1,
    });
  });

  it('shows an absent override as null, never leaves the field out', () => {
    const view = CatalogueServiceView.of(Object.assign(new CatalogueService(), row, { deliveryStartWeeks: undefined }));
    expect(view).toHaveProperty('deliveryStartWeeks', null);
  });
});
