/** Every problem type the API answers with (API.md "Errors"), with its status and title. */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'Your request has invalid fields' },
  unauthenticated: { status: 401, title: 'You are not signed in' },
  forbidden: { status: 403, title: 'Your role may not do this' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Cannot answer in the requested format' },
  'stale-version': { status: 409, title: 'The record was changed by someone else' },
  'invalid-transition': { status: 409, title: 'Not possible in the record’s current state' },
  'capacity-exhausted': { status: 409, title: 'Not enough capacity left' },
  duplicate: { status: 409, title: 'A record with these details already exists' },
  'conflict-of-interest': { status: 409, title: 'Conflict of interest declared' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'uri-too-long': { status: 414, title: 'Request URL too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Something went wrong on our side' },
  unavailable: { status: 503, title: 'Service temporarily unavailable' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 body. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldError[];
  requestId?: string;
  [extension: string]: unknown;
}

export function problemTypeUri(type: ProblemType): string {
  return `/problems/${type}`;
}

const BY_STATUS = new Map<number, ProblemType>(
  (Object.keys(PROBLEM_TYPES) as ProblemType[])
    .filter((t) => !['stale-version', 'invalid-transition', 'capacity-exhausted', 'conflict-of-interest'].includes(t))
    .map((t) => [PROBLEM_TYPES[t].status, t]),
);

/** The problem type for a bare HTTP status (framework errors that carry no type of their own). */
export function problemTypeForStatus(status: number): ProblemType {
  return BY_STATUS.get(status) ?? (status >= 500 ? 'internal' : 'validation');
}
