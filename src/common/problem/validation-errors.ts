import { ValidationError } from 'class-validator';
import { FieldError } from './problem-type';
import { ProblemException } from './problem.exception';

/** Flattens class-validator's tree into one entry per bad field ("outcomes.0.description"). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator prefixes the property name; "must be ..." reads better beside `field`.
      message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** exceptionFactory for the global ValidationPipe. */
export function validationProblem(errors: ValidationError[]): ProblemException {
  const fieldErrors = flattenValidationErrors(errors).map((e) =>
    // forbidNonWhitelisted says "property x should not exist"; name the field plainly.
    /^property .+ should not exist$/.test(e.message) ? { field: e.field, message: 'is not a known field' } : e,
  );
  return ProblemException.validation(fieldErrors);
}
