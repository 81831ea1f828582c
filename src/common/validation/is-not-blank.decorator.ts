import { Matches, type ValidationOptions } from 'class-validator';

/**
 * A required text must hold something besides spaces: @IsNotEmpty() let "   " through as a
 * locality, school, organisation or service name (found by the bad-input corpus).
 */
export function IsNotBlank(options: ValidationOptions = {}): PropertyDecorator {
  return Matches(/\S/, { message: '$property must not be empty or blank', ...options });
}
