import { Readable } from 'node:stream';
import { csvRecords, HeaderProblem, type ColumnSpec } from './csv-records';
import { ImportErrors } from './import-errors';

const COLUMNS: ColumnSpec[] = [
  { name: 'a', header: 'Alpha', required: true },
  { name: 'b', header: 'Beta (name)', required: true },
  { name: 'c', header: 'gamma', required: false },
];

async function read(text: string) {
  const errors = new ImportErrors();
  const records = [];
  for await (const record of csvRecords(Readable.from([Buffer.from(text)]), COLUMNS, errors)) records.push(record);
  return { records, errors: errors.listed };
}

describe('csvRecords', () => {
  it('reads by header name in any case, with a BOM, CRLF, quotes, blank lines and line numbers', async () => {
    const { records, errors } = await read('\ufeffbeta (NAME),other,ALPHA\r\n"x, y",1,"two\r\nlines"\r\n\r\n  z ,2,"say ""hi"""\r\n');
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 2, values: { a: 'two\r\nlines', b: 'x, y', c: '' } },
      { line: 5, values: { a: 'say "hi"', b: 'z', c: '' } },
    ]);
  });

  it('reports a row with the wrong number of cells by line', async () => {
    const { records, errors } = await read('Alpha,Beta (name)\n1,2\n1,2,3\n3,4\n');
    expect(records.map((r) => r.line)).toEqual([2, 4]);
    expect(errors).toEqual([{ line: 3, field: 'row', message: expect.stringMatching(/3 cells where the header has 2/) }]);
  });

  it('reports a quote never closed, at the first line not yet read (the parser gives no more)', async () => {
    const { errors } = await read('Alpha,Beta (name)\n"open,4\n5,6\n');
    expect(errors).toEqual([{ line: expect.any(Number), field: 'row', message: expect.stringMatching(/on this line or after it that is never closed/) }]);
    expect(errors[0].line).toBeLessThanOrEqual(2);
  });

  it('names missing and doubled header columns, and refuses an empty file', async () => {
    const problem = await read('Alpha,gamma,gamma\n1,2,3\n').catch((error: HeaderProblem) => error);
    expect(problem).toBeInstanceOf(HeaderProblem);
    expect((problem as HeaderProblem).errors).toEqual([
      { line: 1, field: 'Beta (name)', message: 'is a required column but the header row does not have it' },
      { line: 1, field: 'gamma', message: 'appears more than once in the header row' },
    ]);
    await expect(read('')).rejects.toBeInstanceOf(HeaderProblem);
    await expect(read('\r\n\r\n')).rejects.toBeInstanceOf(HeaderProblem);
  });
});
