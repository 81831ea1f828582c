import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_TYPES, ProblemType, problemTypeUri } from './problem-type';

export class FieldErrorDto {
  @ApiProperty({ example: 'urn' })
  field: string;

  @ApiProperty({ example: 'must be a 6-digit number' })
  message: string;
}

/** RFC 9457 problem details, as every error of this API is sent (application/problem+json). */
export class ProblemDto {
  @ApiProperty({ example: '/problems/validation', enum: Object.keys(PROBLEM_TYPES).map((t) => `/problems/${t}`) })
  type: string;

  @ApiProperty({ example: PROBLEM_TYPES.validation.title })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'urn: must be a 6-digit number' })
  detail: string;

  @ApiProperty({ example: '/api/v1/schools' })
  instance: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ description: 'Quote it when reporting a problem', example: '6f1c2d1e-4a7b-4d55-9f0e-2b1c3d4e5f60' })
  requestId?: string;
}

/** Documents the problems a route can answer with, one OpenAPI response per status. */
export function ApiProblems(...types: ProblemType[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ProblemType[]>();
  for (const type of types) {
    const status = PROBLEM_TYPES[type].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), type]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        description: list.map((t) => `${problemTypeUri(t)}: ${PROBLEM_TYPES[t].title}`).join('; '),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );
}
