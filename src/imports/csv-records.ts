import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ImportErrors } from './import-errors';

/** One data row of a CSV file: its line number in the file (the header is line 1) and its cells by column. */
export interface CsvRecord {
  line: number;
  /** Cells by the column's canonical name (see ColumnSpec); trimmed; '' when empty or absent. */
  values: Record<string, string>;
}

/** A column a file may or must have: `name` as the API calls it; `header` as the file spells it (any case). */
export interface ColumnSpec {
  name: string;
  header: string;
  required: boolean;
}

/** The header line is bad (missing or doubled columns, or no header at all): nothing can be read. */
export class HeaderProblem extends Error {
  constructor(readonly errors: { line: number; field: string; message: string }[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

const headerKey = (header: string): string => header.trim().toLowerCase();

/** Line breaks inside one record (a quoted cell may hold some), not counting the one that ends it. */
function innerLineBreaks(raw: string): number {
  const body = raw.replace(/(\r\n|\n|\r)$/, '');
  let count = 0;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) count += 1;
  return count;
}

/**
 * Reads a CSV stream record by record (never the whole file): UTF-8 with or without a byte-order
 * mark, CRLF or LF line endings, RFC 4180 quoting (commas, quotes and line breaks inside quoted
 * cells). Header names match the specs case-insensitively; other columns are ignored. Blank lines
 * are skipped. A row with a different number of cells from the header is reported in `errors`
 * (field `row`) and not yielded; so is a quote left open at the end of the file.
 */
export async function* csvRecords(source: Readable, columns: readonly ColumnSpec[], errors: ImportErrors): AsyncGenerator<CsvRecord> {
  const parser = source.pipe(
    parse({ bom: true, relax_column_count: true, raw: true, info: true, skip_empty_lines: false, max_record_size: 1_000_000 }),
  );
  source.on('error', (error) => parser.destroy(error));
  let nextLine = 1;
  let indexes: { name: string; index: number }[] | undefined;
  let width = 0;
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const line = nextLine;
      nextLine += innerLineBreaks(raw) + 1;
      const blank = record.length === 1 && record[0].trim() === '';
      if (!indexes) {
        if (blank) continue;
        indexes = headerIndexes(record, columns);
        width = record.length;
        continue;
      }
      if (blank) continue;
      if (record.length !== width) {
        errors.add(line, 'row', `has ${record.length} cells where the header has ${width} (is a comma inside a value not in quotes?)`);
        continue;
      }
      const values: Record<string, string> = {};
      for (const { name, index } of indexes) values[name] = index >= 0 ? record[index].trim() : '';
      yield { line, values };
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      errors.add(nextLine, 'row', 'has a quote (") on this line or after it that is never closed: the rest of the file could not be read');
      return;
    }
    if (code === 'CSV_MAX_RECORD_SIZE') {
      errors.add(nextLine, 'row', 'is longer than 1,000,000 characters (an unclosed quote?)');
      return;
    }
    throw error;
  }
  if (!indexes) throw new HeaderProblem([{ line: 1, field: 'header', message: 'the file is empty: it needs a header row and at least one row' }]);
}

/** Where each spec's column sits in the header (-1: an optional column the file lacks). */
function headerIndexes(header: string[], columns: readonly ColumnSpec[]): { name: string; index: number }[] {
  const keys = header.map(headerKey);
  const problems: { line: number; field: string; message: string }[] = [];
  const result = columns.map((column) => {
    const key = headerKey(column.header);
    const index = keys.indexOf(key);
    if (index < 0 && column.required) {
      problems.push({ line: 1, field: column.header, message: `is a required column but the header row does not have it` });
    } else if (index >= 0 && keys.indexOf(key, index + 1) >= 0) {
      problems.push({ line: 1, field: column.header, message: 'appears more than once in the header row' });
    }
    return { name: column.name, index };
  });
  if (problems.length) throw new HeaderProblem(problems);
  return result;
}
