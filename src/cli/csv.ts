/**
 * A small RFC 4180 CSV reader for the CLI: quoted fields, doubled quotes inside them, commas and line breaks in
 * quoted fields, CRLF, LF or CR line ends, a header row naming the columns, a UTF-8 byte order mark at the start
 * ignored. Errors are `INPUT_INVALID` at the file (when named) and the physical line of the text (1-based).
 */
import { inputError } from '../core/errors.js';

/** One record of a CSV text: its fields and the physical line (1-based) where it starts. */
export interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** One data row of a CSV table: its values keyed by the header's column names, and the line where it starts. */
export interface CsvRow {
  readonly line: number;
  readonly values: Record<string, string>;
}

/** `INPUT_INVALID` at `[file, line]` (or `['line', line]` when no file is named), the message naming both. */
function csvError(file: string | undefined, line: number, what: string): Error {
  return file === undefined ? inputError(`CSV line ${line}: ${what}`, ['line', line]) : inputError(`${file} line ${line}: ${what}`, [file, line]);
}

/**
 * The data rows of a CSV text, keyed by the header's column names (header names trimmed of surrounding
 * whitespace, cells kept as written), each with the physical line where it starts. Empty lines are skipped; a
 * row whose field count differs from the header's is `INPUT_INVALID` at its line.
 */
export function readCsvTable(text: string, file?: string): CsvRow[] {
  if (typeof text !== 'string') throw inputError('CSV text must be a string', ['text']);
  const records = parseCsvRecords(text, file);
  const header = records.shift();
  if (header === undefined) return [];
  const names = header.cells.map((h) => h.trim());
  return records.map(({ line, cells }) => {
    if (cells.length !== names.length) throw csvError(file, line, `${cells.length} field${cells.length === 1 ? '' : 's'}, the header ${names.length}`);
    return { line, values: Object.fromEntries(names.map((n, i) => [n, cells[i]!])) };
  });
}

/**
 * Rows of a CSV text as records keyed by the header's column names (empty lines skipped).
 */
export function parseCsv(text: string, file?: string): Array<Record<string, string>> {
  return readCsvTable(text, file).map((r) => r.values);
}

/**
 * The rows of a CSV text as arrays of fields (RFC 4180). Only an empty line is skipped: a line holding `""` is a
 * record of one empty field.
 */
export function parseCsvRows(text: string, file?: string): string[][] {
  return parseCsvRecords(text, file).map((r) => r.cells);
}

/**
 * The records of a CSV text with the physical line (1-based) where each starts. A byte order mark at the start
 * is ignored; only an empty line (no character between two line ends) is skipped. Syntax errors are
 * `INPUT_INVALID` at the line of the offending character; a quoted field that is never closed, at the line
 * where its quote opened.
 */
export function parseCsvRecords(text: string, file?: string): CsvRecord[] {
  if (typeof text !== 'string') throw inputError('CSV text must be a string', ['text']);
  const records: CsvRecord[] = [];
  let row: string[] = [];
  let field = '';
  /** The current record has a quoted field (so it is not an empty line, even when its only field is empty). */
  let sawQuote = false;
  let quoted = false;
  let quoteLine = 0;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = (): void => {
    row.push(field);
    if (sawQuote || !(row.length === 1 && row[0] === '')) records.push({ line: start, cells: row });
    field = '';
    row = [];
    sawQuote = false;
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
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') throw csvError(file, line, 'text after a closing quote');
        continue;
      }
      // A line break inside quotes: CRLF counts as one line end, as outside.
      if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw csvError(file, line, 'a quote inside an unquoted field');
      quoted = true;
      sawQuote = true;
      quoteLine = line;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      start = line;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw csvError(file, quoteLine, 'a quoted field is not closed');
  if (field !== '' || row.length > 0 || sawQuote) endRow();
  return records;
}
