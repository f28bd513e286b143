/**
 * Aligns rows of cells into columns (first row: headings). The first column is a label, left-
 * aligned; columns of numbers and sizes are right-aligned.
 */
export function renderTable(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)))
  const numeric = rows[0]!.map((_, column) => column > 0 && rows.slice(1).every((row) => /^[\d.,]+[KMGTP]?B?$|^-$/.test(row[column] ?? '')))
  return rows.map((row) => indent + row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd())
}
