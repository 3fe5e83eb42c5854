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
 * row whose field count differs from the header's is `INPUT_INVALID` at its line, as is a header naming a
 * column twice (empty names aside) or lacking one of `columns` (checked at the header, so a file of no rows is
 * refused too; a text with no header at all has no rows and is not checked).
 */
export function readCsvTable(text: string, file?: string, columns: ReadonlyArray<string> = []): CsvRow[] {
  if (typeof text !== 'string') throw inputError('CSV text must be a string', ['text']);
  const records = parseCsvRecords(text, file);
  const header = records.shift();
  if (header === undefined) return [];
  const names = header.cells.map((h) => h.trim());
  // Two columns of one name: a row would keep only the last one's cell, silently.
  const twice = names.find((n, i) => n !== '' && names.indexOf(n) !== i);
  if (twice !== undefined) throw csvError(file, header.line, `the header names the column ${JSON.stringify(twice)} twice`);
  const missing = columns.find((c) => !names.includes(c));
  if (missing !== undefined) throw csvError(file, header.line, `the header has no column ${JSON.stringify(missing)} (it names ${names.map((n) => JSON.stringify(n)).join(', ')})`);
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
  const n = text.length;
  // Fields are sliced up to the next special character, not built a character at a time: about twice as fast on
  // a large export, and unquoted cells share the text's memory.
  const special = /[",\r\n]/g;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    /** The record has a quoted field (so it is not an empty line, even when its only field is empty). */
    let sawQuote = false;
    for (;;) {
      if (text.charCodeAt(i) === 0x22) {
        sawQuote = true;
        const quoteLine = line;
        let field = '';
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw csvError(file, quoteLine, 'a quoted field is not closed');
          const chunk = text.slice(i, q);
          // Line breaks inside quotes: CRLF counts as one line end, as outside.
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          for (let k = chunk.indexOf('\r'); k >= 0; k = chunk.indexOf('\r', k + 1)) if (chunk.charCodeAt(k + 1) !== 0x0a) line++;
          field += chunk;
          i = q + 1;
          if (text.charCodeAt(i) !== 0x22) break;
          field += '"';
          i++;
        }
        const next = text.charCodeAt(i);
        if (i < n && next !== 0x2c && next !== 0x0a && next !== 0x0d) throw csvError(file, line, 'text after a closing quote');
        cells.push(field);
      } else {
        special.lastIndex = i;
        const end = special.exec(text)?.index ?? n;
        cells.push(text.slice(i, end));
        i = end;
        if (text.charCodeAt(i) === 0x22) throw csvError(file, line, 'a quote inside an unquoted field');
      }
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x0d || c === 0x0a) {
        i += c === 0x0d && text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
        line++;
      }
      break;
    }
    // Only an empty line (no character between two line ends) is skipped.
    if (sawQuote || cells.length > 1 || cells[0] !== '') records.push({ line: start, cells });
  }
  return records;
}
