import { createTestApp, TestApp } from './support/test-app';

/**
 * The OpenAPI 3 description at /docs-json (API.md "Conventions"). Swagger UI (/docs) is off in
 * tests: @fastify/static cannot be loaded by jest on Node 20; only the JSON is served here.
 */
describe('OpenAPI document', () => {
  type Schema = Record<string, any>;
  type Operation = {
    operationId?: string;
    parameters?: Schema[];
    requestBody?: Schema;
    responses: Record<string, Schema>;
    security?: Record<string, string[]>[];
  };
  type Doc = {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, Schema> };
  };

  const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  /** The reference-data routes of API.md, with the methods the contract names. */
  const REFERENCE_PATHS: Record<string, string[]> = {
    '/api/v1/localities': ['get', 'post'],
    '/api/v1/localities/{id}': ['get', 'patch'],
    '/api/v1/schools': ['get', 'post'],
    '/api/v1/schools/{id}': ['get', 'patch'],
    '/api/v1/organisations': ['get', 'post'],
    '/api/v1/organisations/{id}': ['get'],
    '/api/v1/services': ['get', 'post'],
    '/api/v1/services/{id}': ['patch'],
  };

  let t: TestApp;
  let doc: Doc;
  let res: { status: number; headers: Record<string, string>; body: unknown };

  beforeAll(async () => {
    t = await createTestApp();
    res = await t.http().get('/docs-json');
    doc = res.body as Doc;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every [path, method, operation] of the document. */
  const operations = (): [string, string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, op]) => [path, method, op] as [string, string, Operation]),
    );
  const apiOperations = () => operations().filter(([path]) => path.startsWith('/api/v1/'));

  it('is served without a token as JSON, an OpenAPI 3 document', async () => {
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.info.title.length).toBeGreaterThan(0);
  });

  it('includes every reference-data path under /api/v1 with the contract methods', () => {
    for (const [path, methods] of Object.entries(REFERENCE_PATHS)) {
      expect({ path, present: path in doc.paths }).toEqual({ path, present: true });
      expect({ path, methods: Object.keys(doc.paths[path]).filter((m) => HTTP_METHODS.includes(m)) }).toEqual({
        path,
        methods: expect.arrayContaining(methods),
      });
    }
  });

  it('includes the health probes, unprefixed', () => {
    expect(doc.paths['/health/live']?.get).toBeDefined();
    expect(doc.paths['/health/ready']?.get).toBeDefined();
    expect(doc.paths['/api/v1/health/live']).toBeUndefined();
    // The reference data is only under the prefix.
    for (const path of Object.keys(REFERENCE_PATHS)) {
      expect(doc.paths[path.replace(/^\/api\/v1/, '')]).toBeUndefined();
    }
  });

  it('describes problem details as ProblemDto, with the RFC 9457 members and the contract problem types', () => {
    const problem = doc.components.schemas.ProblemDto;
    expect(problem).toBeDefined();
    expect(Object.keys(problem.properties)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'errors']));
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance']));
    expect(problem.properties.errors).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/FieldErrorDto' } });
    expect(doc.components.schemas.FieldErrorDto.required).toEqual(expect.arrayContaining(['field', 'message']));
    expect(problem.properties.type.enum).toEqual(
      expect.arrayContaining(
        [
          'validation',
          'unauthenticated',
          'forbidden',
          'not-found',
          'stale-version',
          'invalid-transition',
          'capacity-exhausted',
          'duplicate',
          'conflict-of-interest',
          'payload-too-large',
          'unsupported-media-type',
          'rate-limited',
          'unavailable',
          'internal',
        ].map((type) => `/problems/${type}`),
      ),
    );
  });

  it('documents at least one 4xx response on every operation under /api/v1, each as a ProblemDto', () => {
    const ops = apiOperations();
    expect(ops.length).toBeGreaterThanOrEqual(15);
    for (const [path, method, op] of ops) {
      const clientErrors = Object.keys(op.responses ?? {}).filter((status) => /^4(\d\d|XX)$/.test(status));
      expect({ operation: `${method.toUpperCase()} ${path}`, has4xx: clientErrors.length > 0 }).toEqual({
        operation: `${method.toUpperCase()} ${path}`,
        has4xx: true,
      });
      for (const status of clientErrors) {
        expect({ operation: `${method.toUpperCase()} ${path} ${status}`, schema: op.responses[status].content?.['application/problem+json']?.schema }).toEqual({
          operation: `${method.toUpperCase()} ${path} ${status}`,
          schema: { $ref: '#/components/schemas/ProblemDto' },
        });
      }
    }
  });

  it('documents the problems each reference-data route really answers with', () => {
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    for (const resource of ['localities', 'schools', 'organisations', 'services']) {
      expect(statuses(`/api/v1/${resource}`, 'get')).toEqual(expect.arrayContaining(['200', '400']));
      expect(statuses(`/api/v1/${resource}`, 'post')).toEqual(expect.arrayContaining(['201', '400', '409']));
      expect(statuses(`/api/v1/${resource}/{id}`, 'get')).toEqual(expect.arrayContaining(['200', '400', '404']));
    }
    for (const resource of ['localities', 'schools', 'services']) {
      expect(statuses(`/api/v1/${resource}/{id}`, 'patch')).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    }
  });

  it('gives every operation a unique operationId, a path parameter for each {param}, and a schema for each body', () => {
    const ids = operations().map(([, , op]) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, method, op] of operations()) {
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        expect({ path, method, name, param: op.parameters?.find((p) => p.in === 'path' && p.name === name)?.required }).toEqual({
          path,
          method,
          name,
          param: true,
        });
      }
      if (method === 'post' || method === 'patch') {
        // A JSON body, or for a file upload (the imports) the multipart form.
        const content = op.requestBody?.content ?? {};
        const body = (content['application/json'] ?? content['multipart/form-data'])?.schema?.$ref;
        expect({ path, method, body }).toEqual({
          path,
          method,
          body: expect.stringMatching(/^#\/components\/schemas\//),
        });
      }
    }
  });

  it('describes the reference-data enums exactly as the contract', () => {
    const { schemas } = doc.components;
    expect(schemas.SchoolPhase.enum).toEqual(['PRIMARY', 'MIDDLE', 'SECONDARY', 'ALL_THROUGH']);
    expect(schemas.SchoolKind.enum).toEqual(['MAINSTREAM', 'SPECIAL', 'PRU', 'INDEPENDENT']);
    expect(schemas.OrganisationKind.enum).toEqual(['KCC_SERVICE', 'NHS', 'VOLUNTARY', 'INDEPENDENT']);
    expect(schemas.ServiceUnit.enum).toEqual(['HOURS', 'SESSIONS', 'GBP', 'PLACES']);
  });

  it('describes the reference-data views with the contract fields, and lists as {data, nextCursor}', () => {
    const { schemas } = doc.components;
    const required = (name: string) => schemas[name].required;
    expect(required('LocalityView')).toEqual(expect.arrayContaining(['id', 'code', 'name', 'area', 'district', 'version']));
    expect(required('SchoolView')).toEqual(expect.arrayContaining(['id', 'urn', 'name', 'phase', 'kind', 'localityId', 'version']));
    expect(required('OrganisationView')).toEqual(expect.arrayContaining(['id', 'name', 'kind', 'version']));
    expect(required('CatalogueServiceView')).toEqual(
      expect.arrayContaining(['id', 'code', 'name', 'organisationId', 'unit', 'deliveryStartWeeks', 'version']),
    );
    expect(schemas.CatalogueServiceView.properties.deliveryStartWeeks).toMatchObject({ type: 'integer', nullable: true });
    // An enum property is its named enum schema, as $ref or (beside an example) allOf [$ref].
    const refOf = (property: Schema) => property.$ref ?? property.allOf?.[0]?.$ref;
    expect(refOf(schemas.SchoolView.properties.phase)).toBe('#/components/schemas/SchoolPhase');
    expect(refOf(schemas.SchoolView.properties.kind)).toBe('#/components/schemas/SchoolKind');
    expect(refOf(schemas.CreateOrganisationDto.properties.kind)).toBe('#/components/schemas/OrganisationKind');
    expect(refOf(schemas.CreateCatalogueServiceDto.properties.unit)).toBe('#/components/schemas/ServiceUnit');
    expect(schemas.CreateSchoolDto.properties.urn).toMatchObject({ type: 'string', pattern: '^[0-9]{6}$', example: expect.stringMatching(/^\d{6}$/) });
    // The catalogue's unit and code are fixed once created: a PATCH body does not offer them.
    expect(Object.keys(schemas.UpdateCatalogueServiceDto.properties)).not.toContain('unit');
    expect(Object.keys(schemas.UpdateCatalogueServiceDto.properties)).not.toContain('code');
    for (const page of ['LocalityPage', 'SchoolPage', 'OrganisationPage', 'CatalogueServicePage']) {
      expect(schemas[page]).toMatchObject({
        properties: { data: { type: 'array', items: { $ref: expect.stringMatching(/^#\/components\/schemas\/\w+View$/) } }, nextCursor: { nullable: true } },
        required: expect.arrayContaining(['data', 'nextCursor']),
      });
    }
    expect(doc.paths['/api/v1/schools'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SchoolPage' });
  });

  it('has every $ref resolve to a schema in components', () => {
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(0);
    const unresolved = [...refs].filter((ref) => {
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      return !match || !(match[1] in doc.components.schemas);
    });
    expect(unresolved).toEqual([]);
  });

  it('declares the bearer scheme the API uses', () => {
    expect(Object.values(doc.components.securitySchemes ?? {})).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'http', scheme: 'bearer' })]),
    );
  });

  it('requires the bearer scheme on every /api/v1 operation except sign-in, and on no health probe', () => {
    const bearerSchemes = Object.entries(doc.components.securitySchemes ?? {})
      .filter(([, scheme]) => scheme.type === 'http' && scheme.scheme === 'bearer')
      .map(([name]) => name);
    expect(bearerSchemes.length).toBeGreaterThan(0);
    const usesBearer = (op: Operation) => (op.security ?? []).some((requirement) => Object.keys(requirement).some((name) => bearerSchemes.includes(name)));

    const secured = apiOperations().filter(([path, method]) => !(method === 'post' && path === '/api/v1/auth/login'));
    expect(secured.length).toBeGreaterThanOrEqual(15);
    for (const [path, method, op] of secured) {
      const operation = `${method.toUpperCase()} ${path}`;
      expect({ operation, bearer: usesBearer(op) }).toEqual({ operation, bearer: true });
    }
    const login = doc.paths['/api/v1/auth/login']?.post;
    expect(login).toBeDefined();
    expect(usesBearer(login)).toBe(false);
    for (const path of ['/health/live', '/health/ready']) {
      expect({ path, bearer: usesBearer(doc.paths[path].get) }).toEqual({ path, bearer: false });
    }
  });

  it('documents 401 and 403 on the reference-data operations', () => {
    for (const [path, methods] of Object.entries(REFERENCE_PATHS)) {
      for (const method of methods) {
        const operation = `${method.toUpperCase()} ${path}`;
        expect({ operation, statuses: Object.keys(doc.paths[path][method].responses) }).toEqual({
          operation,
          statuses: expect.arrayContaining(['401', '403']),
        });
      }
    }
  });
});

describe('OpenAPI conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('documents path ids as UUIDs and If-Match on every PATCH', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    let ids = 0;
    let patches = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: { name: string; in: string; schema?: { format?: string } }[] }>>)) {
      for (const [method, op] of Object.entries(item)) {
        for (const p of op.parameters ?? []) {
          if (p.in === 'path' && p.name === 'id') {
            expect({ path, format: p.schema?.format }).toEqual({ path, format: 'uuid' });
            ids += 1;
          }
        }
        if (method === 'patch') {
          expect({ path, ifMatch: (op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'If-Match') }).toEqual({ path, ifMatch: true });
          patches += 1;
        }
      }
    }
    expect(ids).toBeGreaterThan(10);
    expect(patches).toBeGreaterThanOrEqual(6);
  });
});
