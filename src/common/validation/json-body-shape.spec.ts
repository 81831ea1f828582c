import { jsonBodyProblem, MAX_BODY_DEPTH } from './json-body-shape';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 1; i < depth; i++) value = [value];
  return value;
};

describe('jsonBodyProblem', () => {
  it.each<[string, unknown, { field: string; message: string } | undefined]>([
    ['an object', { name: 'x', outcomes: [{ description: 'y' }] }, undefined],
    ['an array (the DTO decides)', [{ a: 1 }], undefined],
    ['JSON null', null, { field: 'body', message: 'must be a JSON object' }],
    ['a number', 1e308, { field: 'body', message: 'must be a JSON object' }],
    ['a string', 'text', { field: 'body', message: 'must be a JSON object' }],
    ['a boolean', true, { field: 'body', message: 'must be a JSON object' }],
    ['a prototype key', { name: 'x', prototype: { polluted: 1 } }, { field: 'prototype', message: 'is not a known field' }],
    ['a nested constructor key', { outcomes: [{ constructor: { prototype: {} } }] }, { field: 'outcomes[0].constructor', message: 'is not a known field' }],
    ['a __proto__ own key', JSON.parse('{"a":{"__proto__":{"x":1}}}'), { field: 'a.__proto__', message: 'is not a known field' }],
    ['nesting at the limit', { deep: nested(MAX_BODY_DEPTH - 1) }, undefined],
    ['nesting over the limit', { deep: nested(MAX_BODY_DEPTH + 1) }, { field: expect.stringMatching(/^deep/), message: `is nested deeper than ${MAX_BODY_DEPTH} levels` }],
  ])('%s', (_name, body, expected) => {
    expect(jsonBodyProblem(body)).toEqual(expected);
  });

  it('refuses a body nested 100,000 deep without overflowing the stack', () => {
    expect(jsonBodyProblem(JSON.parse(`{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`))?.message).toMatch(/nested deeper/);
  });
});
