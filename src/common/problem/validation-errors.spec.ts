import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Min, ValidateNested, ValidationError, validateSync } from 'class-validator';
import { FieldError } from './problem-type';
import { ProblemException } from './problem.exception';
import { flattenValidationErrors, validationProblem } from './validation-errors';

/** A ValidationError as class-validator builds it (target and value left out, as the app configures). */
function node(property: string, constraints?: Record<string, string>, children: ValidationError[] = []): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints, children });
}

describe('flattenValidationErrors', () => {
  it.each<[string, ValidationError[], FieldError[]]>([
    ['no errors', [], []],
    [
      'one top-level field',
      [node('urn', { isInt: 'urn must be an integer number' })],
      [{ field: 'urn', message: 'must be an integer number' }],
    ],
    [
      'several constraints on one field, in order',
      [node('name', { isNotEmpty: 'name should not be empty', maxLength: 'name must be shorter than or equal to 200 characters' })],
      [
        { field: 'name', message: 'should not be empty' },
        { field: 'name', message: 'must be shorter than or equal to 200 characters' },
      ],
    ],
    [
      'a nested object',
      [node('address', undefined, [node('postcode', { isNotEmpty: 'postcode should not be empty' })])],
      [{ field: 'address.postcode', message: 'should not be empty' }],
    ],
    [
      'an array of nested objects',
      [
        node('outcomes', undefined, [
          node('0', undefined, [node('description', { isNotEmpty: 'description should not be empty' })]),
          node('2', undefined, [node('dueOn', { isCalendarDate: 'dueOn must be a real date in YYYY-MM-DD format' })]),
        ]),
      ],
      [
        { field: 'outcomes.0.description', message: 'should not be empty' },
        { field: 'outcomes.2.dueOn', message: 'must be a real date in YYYY-MM-DD format' },
      ],
    ],
    [
      'a parent with its own constraint and bad children',
      [
        node('outcomes', { arrayMaxSize: 'outcomes must contain no more than 10 elements' }, [
          node('0', undefined, [node('description', { isString: 'description must be a string' })]),
        ]),
      ],
      [
        { field: 'outcomes', message: 'must contain no more than 10 elements' },
        { field: 'outcomes.0.description', message: 'must be a string' },
      ],
    ],
    [
      'a message that does not start with the property name is kept',
      [node('tags', { isString: 'each value in tags must be a string' })],
      [{ field: 'tags', message: 'each value in tags must be a string' }],
    ],
    [
      'a message that starts with a longer word is kept',
      [node('name', { custom: 'names must be unique' })],
      [{ field: 'name', message: 'names must be unique' }],
    ],
    [
      'the prefix is the leaf property, not the dotted path',
      [node('address', undefined, [node('line1', { isString: 'line1 must be a string' })])],
      [{ field: 'address.line1', message: 'must be a string' }],
    ],
  ])('%s', (_, errors, expected) => {
    expect(flattenValidationErrors(errors)).toEqual(expected);
  });
});

describe('validationProblem', () => {
  it('is a 400 validation problem listing every field', () => {
    const problem = validationProblem([
      node('urn', { isInt: 'urn must be an integer number' }),
      node('outcomes', undefined, [node('0', undefined, [node('description', { isNotEmpty: 'description should not be empty' })])]),
    ]);
    expect(problem).toBeInstanceOf(ProblemException);
    expect(problem.type).toBe('validation');
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([
      { field: 'urn', message: 'must be an integer number' },
      { field: 'outcomes.0.description', message: 'should not be empty' },
    ]);
    expect(problem.detail).toBe('urn: must be an integer number; outcomes.0.description: should not be empty');
  });

  it.each<[string, ValidationError[], FieldError[]]>([
    [
      'an unknown top-level field',
      [node('colour', { whitelistValidation: 'property colour should not exist' })],
      [{ field: 'colour', message: 'is not a known field' }],
    ],
    [
      'an unknown nested field',
      [node('outcomes', undefined, [node('0', undefined, [node('colour', { whitelistValidation: 'property colour should not exist' })])])],
      [{ field: 'outcomes.0.colour', message: 'is not a known field' }],
    ],
  ])('names %s plainly', (_, errors, expected) => {
    expect(validationProblem(errors).errors).toEqual(expected);
  });

  describe('with errors from class-validator itself', () => {
    class OutcomeDto {
      @IsString()
      @IsNotEmpty()
      description: string;
    }

    class PlanDto {
      @IsInt()
      @Min(1)
      urn: number;

      @ValidateNested({ each: true })
      @Type(() => OutcomeDto)
      outcomes: OutcomeDto[];
    }

    it('flattens a real tree', () => {
      const plan = Object.assign(new PlanDto(), {
        urn: 0,
        outcomes: [Object.assign(new OutcomeDto(), { description: 'ok' }), Object.assign(new OutcomeDto(), { description: '' })],
        colour: 'red',
      });
      const errors = validateSync(plan, {
        whitelist: true,
        forbidNonWhitelisted: true,
        forbidUnknownValues: true,
        validationError: { target: false, value: false },
      });
      const fields = validationProblem(errors).errors ?? [];
      expect(fields).toEqual(
        expect.arrayContaining([
          { field: 'urn', message: 'must not be less than 1' },
          { field: 'outcomes.1.description', message: 'should not be empty' },
          { field: 'colour', message: 'is not a known field' },
        ]),
      );
      expect(fields).toHaveLength(3);
    });
  });
});
