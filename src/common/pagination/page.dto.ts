import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shape of a list response `{data, nextCursor}` for the given item view. */
export function PageOf<T>(item: Type<T>) {
  class PageDto {
    @ApiProperty({ type: [item] })
    data: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
    nextCursor: string | null;
  }
  return PageDto;
}
