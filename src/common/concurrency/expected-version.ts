import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ProblemException } from '../problem/problem.exception';

/** `If-Match: "3"` (or W/"3") -> 3; absent -> undefined; anything else is a 400. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const raw = Array.isArray(header) ? header[0] : header;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw.trim());
  if (!match) throw ProblemException.invalidField('If-Match', 'must be the record version in quotes, e.g. "3"');
  return Number(match[1]);
}

/** The If-Match header's version, for PATCH handlers. */
export const IfMatchVersion = createParamDecorator((_: unknown, context: ExecutionContext) =>
  parseIfMatch(context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['if-match']),
);

/** A PATCH must say which version it read, in the body or in If-Match (API.md). */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: number | undefined): number {
  if (bodyVersion !== undefined && ifMatch !== undefined && bodyVersion !== ifMatch) {
    throw ProblemException.invalidField('version', 'differs from the If-Match header');
  }
  const version = bodyVersion ?? ifMatch;
  if (version === undefined) {
    throw ProblemException.invalidField('version', 'is required: send the version you read (body field or If-Match)');
  }
  return version;
}

/** For commands where the version is optional: when one is sent (body or If-Match), it must be current. */
export function optionalVersion(bodyVersion: number | undefined, ifMatch: number | undefined): number | undefined {
  return bodyVersion === undefined && ifMatch === undefined ? undefined : expectedVersion(bodyVersion, ifMatch);
}

/** Compares after the row is locked; a mismatch is 409 with the version now stored. */
export function assertVersion(what: string, current: number, expected: number): void {
  if (current !== expected) throw ProblemException.staleVersion(what, current);
}
