export interface TableColumn {
  readonly header: string;
  readonly align?: 'left' | 'right';
}

function fit(cell: string, width: number, align: 'left' | 'right'): string {
  return align === 'right' ? cell.padStart(width) : cell.padEnd(width);
}

/** Columns separated by two spaces, headers first, no trailing white space. Pure. */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((column, index) => Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, index) => fit(cells[index] ?? '', widths[index] ?? 0, column.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)];
}
