/** The figures behind each chart, as a real table (the text alternative and the numbers to read). */
export type Row = Record<string, unknown>;

export interface Column {
  key: string;
  label: string;
  format?: (value: unknown, row: Row) => string;
  /** Right-aligned number column. */
  numeric?: boolean;
}

/** 0.714 -> "71.4%"; null -> "n/a" (nothing to divide: no plan issued, nothing met). */
export function percent(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}

/** Whole numbers as they are, fractions to one decimal place, null as n/a. */
export function number(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'n/a';
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function text(value: unknown): string {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

export function clearTable(table: HTMLTableElement): void {
  table.replaceChildren();
  table.closest('.table-wrap')?.setAttribute('hidden', '');
}

/** The first column heads each row (th scope=row); cells carry data-field for tests and styling. */
export function renderTable(table: HTMLTableElement, caption: string, columns: Column[], rows: Row[]): void {
  table.replaceChildren();
  table.closest('.table-wrap')?.removeAttribute('hidden');
  const cap = table.createCaption();
  cap.textContent = caption;
  const headRow = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = column.label;
    if (column.numeric) th.className = 'num';
    headRow.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    if (typeof row.groupId === 'string') tr.dataset.group = row.groupId;
    columns.forEach((column, index) => {
      const cell = document.createElement(index === 0 ? 'th' : 'td');
      if (index === 0) (cell as HTMLTableCellElement).scope = 'row';
      cell.dataset.field = column.key;
      if (column.numeric) cell.className = 'num';
      const value = row[column.key];
      cell.textContent = (column.format ?? text)(value, row);
      tr.append(cell);
    });
  }
}
