import type { FieldError } from '../problem/problem-type';

/** Deeper than any DTO of the API nests (a plan's outcomes are 3 levels): more is an attack. */
export const MAX_BODY_DEPTH = 32;
/** Keys that reach an object's prototype when code copies a body: never a field of the API. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What is wrong with the shape of a parsed JSON body before any DTO sees it, or undefined.
 * Walks iteratively, so a body nested 100,000 deep is refused instead of overflowing the stack
 * (class-transformer recurses once per level: a 2,000-deep body was a 500). Fastify already
 * refuses `__proto__` and `constructor`; `prototype` slipped through and was silently dropped.
 */
export function jsonBodyProblem(body: unknown): FieldError | undefined {
  if (body === null || typeof body !== 'object') {
    return { field: 'body', message: 'must be a JSON object' };
  }
  const stack: { value: object; path: string; depth: number }[] = [{ value: body, path: '', depth: 1 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (depth > MAX_BODY_DEPTH) return { field: path || 'body', message: `is nested deeper than ${MAX_BODY_DEPTH} levels` };
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) return { field: childPath, message: 'is not a known field' };
      if (child !== null && typeof child === 'object') stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}
