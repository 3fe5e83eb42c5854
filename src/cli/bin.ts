/**
 * The `crosschannel` executable (package.json "bin"): runs {@link main} on the process's arguments and sets the
 * exit code. See docs/cli.md.
 */
import { readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { main } from './index.js';
import { utf8Text } from './utf8.js';

/**
 * Writes `text` to `path` whole or not at all: a regular file (new or existing) through a temporary file in its
 * directory renamed over it, so a failed write (disk full, file size limit) leaves the old file as it was and no
 * partial page; anything else (a device such as /dev/stdout, a pipe) is written directly.
 */
async function writeWhole(path: string, text: string): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const existing = await stat(target).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) return writeFile(target, text, 'utf8');
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, { encoding: 'utf8', mode: existing === undefined ? 0o666 : existing.mode & 0o777 });
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/**
 * A file's text, strictly UTF-8: other bytes are an error at their line ({@link utf8Text}), not U+FFFD in the data.
 * A regular file is read as text (Node's own UTF-8 reading: a 1 M-row export peaked about 230 MB lower than through
 * a Buffer) and its bytes checked only when a U+FFFD shows; anything else (a pipe, `<(…)`) is read once, as bytes.
 */
async function readText(path: string): Promise<string> {
  if ((await stat(path).catch(() => undefined))?.isFile() !== true) return utf8Text(await readFile(path), path);
  const text = await readFile(path, 'utf8');
  return text.includes('\ufffd') ? utf8Text(await readFile(path), path) : text;
}

// A reader that stops early (`crosschannel … | head`) closes the pipe: stop quietly, as other tools do; any
// other failure to write stdout is named, exit 1 — never an unhandled 'error' event's stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') process.stderr.write(`crosschannel: cannot write stdout (${e.code ?? e.message})\n`);
  process.exit(e.code === 'EPIPE' ? 0 : 1);
});

void main(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  readFile: readText,
  writeFile: writeWhole,
  now: () => Date.now(),
  isTTY: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`crosschannel: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
