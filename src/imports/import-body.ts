import { Readable, Transform, type TransformCallback } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problem/problem.exception';

/** Routes that take a file as a stream (text/csv or multipart/form-data) rather than a JSON body. */
export const STREAMED_BODY_PREFIX = '/api/v1/imports/';

export function takesStreamedBody(request: FastifyRequest): boolean {
  return (request.routeOptions?.url ?? '').startsWith(STREAMED_BODY_PREFIX);
}

const unsupportedOnThisRoute = () =>
  Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });

/**
 * The import routes' bodies: `text/csv` is handed over as the raw request stream (never
 * buffered; the size limit is counted as it streams), and `multipart/form-data` goes to
 * @fastify/multipart (its `file` field streamed the same way). Every other route keeps its
 * JSON-only parsing and answers 415 to these content types.
 */
export function registerImportBodyParsers(fastify: FastifyInstance, maxBytes: number): void {
  fastify.addContentTypeParser('text/csv', (request, payload, done) => {
    if (!takesStreamedBody(request)) return done(unsupportedOnThisRoute(), undefined);
    done(null, payload);
  });
  // One file part (the CSV); busboy stops it one byte past the limit so the count below sees the excess.
  void fastify.register(multipart, { limits: { fileSize: maxBytes + 1, files: 1, fields: 20, parts: 21 } });
  fastify.addHook('preValidation', async (request) => {
    if (request.isMultipart?.() && !takesStreamedBody(request)) throw unsupportedOnThisRoute();
  });
}

/** Counts the bytes passing through and fails with a 413 problem once they exceed the limit. */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return callback(payloadTooLarge(this.limit));
    callback(null, chunk);
  }
}

const payloadTooLarge = (limit: number) =>
  new ProblemException('payload-too-large', `the file is larger than the import limit of ${limit} bytes (IMPORT_MAX_BYTES); split it`);

/**
 * The CSV file of an import request as a stream of bytes: the body itself (`text/csv`), or the
 * multipart field `file`. Anything else is 415; a missing file is 400; beyond `maxBytes` 413.
 */
export async function importSource(request: FastifyRequest, maxBytes: number): Promise<Readable> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw payloadTooLarge(maxBytes);

  let source: Readable;
  if (request.isMultipart?.()) {
    const part = await request.file();
    if (!part) throw ProblemException.invalidField('file', 'is missing: send the CSV file in the multipart field "file"');
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw ProblemException.invalidField('file', `is missing: the file came in the field "${part.fieldname}", expected "file"`);
    }
    source = part.file;
  } else if (request.body instanceof Readable) {
    if (Number.isFinite(declared) && declared > maxBytes) throw payloadTooLarge(maxBytes);
    source = request.body;
  } else {
    throw new ProblemException('unsupported-media-type', 'send the file as the body with Content-Type: text/csv, or as multipart/form-data in the field "file"');
  }
  const limited = new ByteLimit(maxBytes);
  source.on('error', (error) => limited.destroy(error));
  return source.pipe(limited);
}
