/** One bad cell or row of an imported file: the file's line number (header = 1), the column, and why. */
export interface ImportError {
  line: number;
  field: string;
  message: string;
}

/** How many row errors a response lists (the total is always given): keeps memory flat for any file. */
export const MAX_LISTED_ERRORS = 1000;

/**
 * The row errors of one import: every one counted, the first MAX_LISTED_ERRORS (by line) kept.
 * Rows arrive in line order, so keeping the first ones is keeping the lowest lines.
 */
export class ImportErrors {
  readonly listed: ImportError[] = [];
  total = 0;

  constructor(readonly cap = MAX_LISTED_ERRORS) {}

  add(line: number, field: string, message: string): void {
    this.total += 1;
    if (this.listed.length < this.cap) this.listed.push({ line, field, message });
  }

  addAll(line: number, errors: { field: string; message: string }[]): void {
    for (const error of errors) this.add(line, error.field, error.message);
  }

  /** Adds errors found later (the database checks) with their own total, keeping the lowest lines. */
  merge(more: ImportError[], moreTotal: number): void {
    this.total += moreTotal;
    this.listed.push(...more);
    this.listed.sort((a, b) => a.line - b.line || a.field.localeCompare(b.field));
    this.listed.length = Math.min(this.listed.length, this.cap);
  }

  get truncated(): boolean {
    return this.total > this.listed.length;
  }
}
