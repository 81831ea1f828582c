import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import { ProblemException } from './problem.exception';
import { toProblemResponse } from './problem-response';

const REQUEST = { url: '/api/v1/pupils?q=Smith', id: 'req-1' };

describe('toProblemResponse: ProblemException', () => {
  it('answers with its status, type URI, title, detail and errors', () => {
    const problem = ProblemException.validation([{ field: 'urn', message: 'must be a 6-digit number' }]);
    const { status, body, unexpected } = toProblemResponse(problem, REQUEST);
    expect(status).toBe(400);
    expect(unexpected).toBe(false);
    expect(body).toEqual({
      type: '/problems/validation',
      title: 'Your request has invalid fields',
      status: 400,
      detail: 'urn: must be a 6-digit number',
      instance: '/api/v1/pupils',
      errors: [{ field: 'urn', message: 'must be a 6-digit number' }],
      requestId: 'req-1',
    });
  });

  it.each([
    [ProblemException.notFound('school'), 404, '/problems/not-found'],
    [ProblemException.duplicate([{ field: 'urn', message: 'is already in use' }]), 409, '/problems/duplicate'],
    [new ProblemException('invalid-transition', 'already closed'), 409, '/problems/invalid-transition'],
    [new ProblemException('forbidden', 'no'), 403, '/problems/forbidden'],
    [new ProblemException('unavailable', 'later'), 503, '/problems/unavailable'],
  ])('%p -> %d %s', (problem, status, type) => {
    const response = toProblemResponse(problem, REQUEST);
    expect(response.status).toBe(status);
    expect(response.body.status).toBe(status);
    expect(response.body.type).toBe(type);
    expect(response.body.detail).toBe(problem.detail);
    expect(response.unexpected).toBe(false);
  });

  it('leaves errors out when the problem has none', () => {
    const { body } = toProblemResponse(ProblemException.notFound('school'), REQUEST);
    expect(body).not.toHaveProperty('errors');
  });

  it('adds extensions as top-level members', () => {
    const { status, body } = toProblemResponse(ProblemException.staleVersion('school', 4), REQUEST);
    expect(status).toBe(409);
    expect(body.type).toBe('/problems/stale-version');
    expect(body.currentVersion).toBe(4);
  });

  it.each<[string | undefined, string]>([
    ['/api/v1/pupils?q=Smith', '/api/v1/pupils'],
    ['/api/v1/pupils?q=Smith&dob=2015-01-01', '/api/v1/pupils'],
    ['/api/v1/schools/123', '/api/v1/schools/123'],
    ['/api/v1/schools?', '/api/v1/schools'],
    [undefined, ''],
  ])('instance for url %p is %p (never the query string)', (url, instance) => {
    const { body } = toProblemResponse(ProblemException.notFound('x'), { url });
    expect(body.instance).toBe(instance);
  });

  it('includes requestId only when given', () => {
    expect(toProblemResponse(ProblemException.notFound('x'), { url: '/a', id: 'abc' }).body.requestId).toBe('abc');
    expect(toProblemResponse(ProblemException.notFound('x'), { url: '/a' }).body).not.toHaveProperty('requestId');
  });
});

describe('toProblemResponse: Nest HttpExceptions', () => {
  it.each<[string, HttpException, number, string, boolean]>([
    ['NotFoundException', new NotFoundException('Cannot GET /api/v1/nope'), 404, '/problems/not-found', false],
    ['BadRequestException', new BadRequestException('Validation failed (uuid is expected)'), 400, '/problems/validation', false],
    ['UnauthorizedException', new UnauthorizedException(), 401, '/problems/unauthenticated', false],
    ['ForbiddenException', new ForbiddenException(), 403, '/problems/forbidden', false],
    ['MethodNotAllowedException', new MethodNotAllowedException(), 405, '/problems/method-not-allowed', false],
    ['PayloadTooLargeException', new PayloadTooLargeException(), 413, '/problems/payload-too-large', false],
    ['InternalServerErrorException', new InternalServerErrorException(), 500, '/problems/internal', true],
    ['HttpException 418', new HttpException('teapot', 418), 400, '/problems/validation', false],
  ])('%s -> %d %s', (_, error, status, type, unexpected) => {
    const response = toProblemResponse(error, REQUEST);
    expect(response.status).toBe(status);
    expect(response.body.status).toBe(status);
    expect(response.body.type).toBe(type);
    expect(response.unexpected).toBe(unexpected);
  });

  it('does not echo the path of a 404 in detail', () => {
    const { body } = toProblemResponse(new NotFoundException('Cannot GET /api/v1/pupils?q=Smith'), REQUEST);
    expect(body.detail).toBe('no such resource');
    expect(body.title).toBe('Not found');
  });
});

describe('toProblemResponse: Fastify request errors', () => {
  const fastify = (code: string, statusCode: number, message = 'fastify says no'): Error =>
    Object.assign(new Error(message), { code, statusCode });

  it.each<[string, unknown, number, string, string | undefined]>([
    ['body too large', fastify('FST_ERR_CTP_BODY_TOO_LARGE', 413), 413, '/problems/payload-too-large', undefined],
    ['body too large (plain object)', { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }, 413, '/problems/payload-too-large', undefined],
    ['invalid media type', fastify('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 415, '/problems/unsupported-media-type', undefined],
    ['invalid JSON body', fastify('FST_ERR_CTP_INVALID_JSON_BODY', 400), 400, '/problems/validation', 'body'],
    ['empty JSON body', fastify('FST_ERR_CTP_EMPTY_JSON_BODY', 400), 400, '/problems/validation', 'body'],
    [
      'a JSON SyntaxError with statusCode 400',
      Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), { statusCode: 400 }),
      400,
      '/problems/validation',
      'body',
    ],
    ['bad URL', fastify('FST_ERR_BAD_URL', 400), 400, '/problems/validation', 'url'],
  ])('%s -> %d %s', (_, error, status, type, field) => {
    const { status: actual, body, unexpected } = toProblemResponse(error, REQUEST);
    expect(actual).toBe(status);
    expect(body.type).toBe(type);
    expect(unexpected).toBe(false);
    if (field) expect(body.errors).toEqual([{ field, message: expect.any(String) }]);
    else expect(body).not.toHaveProperty('errors');
  });

  it('maps another 4xx error with a statusCode by status', () => {
    const { status, body, unexpected } = toProblemResponse(fastify('FST_ERR_SOMETHING_NEW', 404, 'Route not found'), REQUEST);
    expect(status).toBe(404);
    expect(body.type).toBe('/problems/not-found');
    expect(unexpected).toBe(false);
  });

  it('does not treat a SyntaxError without statusCode 400 as a client error', () => {
    const { status, unexpected } = toProblemResponse(new SyntaxError('our own bug'), REQUEST);
    expect(status).toBe(500);
    expect(unexpected).toBe(true);
  });
});

describe('toProblemResponse: everything else', () => {
  it.each<[string, unknown]>([
    ['a plain Error', new Error('secret internals')],
    ['a TypeError', new TypeError('secret internals: cannot read properties of undefined')],
    ['a thrown string', 'secret internals'],
    ['undefined', undefined],
    ['null', null],
    ['an error with a 5xx statusCode', Object.assign(new Error('secret internals'), { statusCode: 502 })],
  ])('%s -> 500 /problems/internal without leaking the message', (_, error) => {
    const { status, body, unexpected } = toProblemResponse(error, REQUEST);
    expect(status).toBe(500);
    expect(body.status).toBe(500);
    expect(body.type).toBe('/problems/internal');
    expect(unexpected).toBe(true);
    expect(body.detail).not.toContain('secret internals');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(body.requestId).toBe('req-1');
  });

  it.each<[string, unknown]>([
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['57P01 wrapped by TypeORM', Object.assign(new Error('terminating connection'), { driverError: { code: '57P01' } })],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['Connection terminated', new Error('Connection terminated unexpectedly')],
  ])('database unavailable (%s) -> 503', (_, error) => {
    const { status, body, unexpected } = toProblemResponse(error, REQUEST);
    expect(status).toBe(503);
    expect(body.type).toBe('/problems/unavailable');
    expect(body.detail).not.toContain('127.0.0.1');
    expect(unexpected).toBe(true);
  });

  it('a constraint violation from the database -> its client problem', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
      driverError: { code: '23505', detail: 'Key (urn)=(118246) already exists.' },
    });
    const { status, body, unexpected } = toProblemResponse(error, REQUEST);
    expect(status).toBe(409);
    expect(body.type).toBe('/problems/duplicate');
    expect(body.errors).toEqual([{ field: 'urn', message: 'is already in use' }]);
    expect(unexpected).toBe(false);
  });
});
