/**
 * A small RFC 4180 CSV reader for the CLI: quoted fields, doubled quotes inside them, commas and line breaks in
 * quoted fields, CRLF or LF line ends, a header row naming the columns. Errors are `INPUT_INVALID` with the line.
 */
import { inputError } from '../core/errors.js';

/**
 * Rows of a CSV text as records keyed by the header's column names (empty lines skipped).
 */
export function parseCsv(text: string): Array<Record<string, string>> {
  if (typeof text !== 'string') throw inputError('CSV text must be a string', ['text']);
  const rows = parseCsvRows(text);
  const header = rows.shift();
  if (header === undefined) return [];
  const names = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  return rows.map((cells, r) => {
    if (cells.length !== names.length) {
      throw inputError(`CSV row ${r + 2} has ${cells.length} fields, the header ${names.length}`, ['rows', r + 2]);
    }
    return Object.fromEntries(names.map((n, i) => [n, cells[i]!]));
  });
}

/**
 * The rows of a CSV text as arrays of fields (RFC 4180).
 */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = 0;
  const endRow = (): void => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw inputError(`CSV line ${line}: text after a closing quote`, ['line', line]);
        }
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw inputError(`CSV line ${line}: a quote inside an unquoted field`, ['line', line]);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw inputError(`CSV line ${line}: a quoted field is not closed`, ['line', line]);
  if (field !== '' || row.length > 0) endRow();
  return rows;
}
