import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from '../dates/calendar-date';

export const IS_CALENDAR_DATE = 'isCalendarDate';

/**
 * The property must be a real calendar date as a strict 'YYYY-MM-DD' string (no time, no zone):
 * stricter than @IsDateString, which accepts 2025-02-30 style overflow and full timestamps.
 * null/undefined fail unless combined with @IsOptional().
 */
export function IsCalendarDate(validationOptions?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: IS_CALENDAR_DATE,
      target: object.constructor,
      propertyName: propertyName as string,
      options: validationOptions,
      validator: {
        validate(value: unknown): boolean {
          return isCalendarDate(value);
        },
        defaultMessage(_args?: ValidationArguments): string {
          return '$property must be a real date in YYYY-MM-DD format';
        },
      },
    });
  };
}
