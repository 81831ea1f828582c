import { FieldError, PROBLEM_TYPES, ProblemType } from './problem-type';

/**
 * The one exception services throw for a client-visible outcome. The filter turns it into
 * application/problem+json; `extensions` adds members such as `currentStatus`.
 */
export class ProblemException extends Error {
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail);
    this.name = 'ProblemException';
  }

  get status(): number {
    return PROBLEM_TYPES[this.type].status;
  }

  static validation(errors: FieldError[], detail?: string): ProblemException {
    return new ProblemException(
      'validation',
      detail ?? errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    );
  }

  static invalidField(field: string, message: string): ProblemException {
    return ProblemException.validation([{ field, message }]);
  }

  static notFound(what: string): ProblemException {
    return new ProblemException('not-found', `${what} was not found`);
  }

  static staleVersion(what: string, currentVersion: number): ProblemException {
    return new ProblemException(
      'stale-version',
      `${what} has changed since you read it (now version ${currentVersion}); read it again and reapply your change`,
      undefined,
      { currentVersion },
    );
  }

  static duplicate(errors: FieldError[]): ProblemException {
    return new ProblemException('duplicate', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  }
}
