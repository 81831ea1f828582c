import 'reflect-metadata';
import { IsOptional, validateSync } from 'class-validator';
import { IsCalendarDate } from './is-calendar-date.decorator';

class Dto {
  @IsCalendarDate()
  receivedOn: unknown;
}

class OptionalDto {
  @IsOptional()
  @IsCalendarDate({ message: 'decidedOn is not a date' })
  decidedOn?: unknown;
}

class ListDto {
  @IsCalendarDate({ each: true })
  dates: unknown;
}

function make<T extends object>(cls: new () => T, values: Partial<T>): T {
  return Object.assign(new cls(), values);
}

describe('IsCalendarDate', () => {
  it.each([['2025-01-06'], ['2024-02-29']])('accepts %p', (value) => {
    expect(validateSync(make(Dto, { receivedOn: value }))).toHaveLength(0);
  });

  it.each([['2025-02-30'], ['2023-02-29'], ['2025-1-06'], ['2025-01-06T00:00:00Z'], [''], [20250106], [null], [undefined]])(
    'rejects %p with the default message',
    (value) => {
      const errors = validateSync(make(Dto, { receivedOn: value }));
      expect(errors).toHaveLength(1);
      expect(errors[0].property).toBe('receivedOn');
      expect(errors[0].constraints).toEqual({ isCalendarDate: 'receivedOn must be a real date in YYYY-MM-DD format' });
    },
  );

  it('honours a custom message and @IsOptional', () => {
    expect(validateSync(make(OptionalDto, {}))).toHaveLength(0);
    expect(validateSync(make(OptionalDto, { decidedOn: null }))).toHaveLength(0);
    const errors = validateSync(make(OptionalDto, { decidedOn: '2025-02-30' }));
    expect(errors[0].constraints).toEqual({ isCalendarDate: 'decidedOn is not a date' });
  });

  it('validates each element with { each: true }', () => {
    expect(validateSync(make(ListDto, { dates: ['2025-01-06', '2024-02-29'] }))).toHaveLength(0);
    expect(validateSync(make(ListDto, { dates: ['2025-01-06', '2025-02-30'] }))).toHaveLength(1);
  });
});
