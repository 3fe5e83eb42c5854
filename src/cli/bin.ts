/**
 * The `crosschannel` executable (package.json "bin"): runs {@link main} on the process's arguments and sets the
 * exit code. See docs/cli.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { main } from './index.js';

void main(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  readFile: (p) => readFile(p, 'utf8'),
  writeFile: (p, t) => writeFile(p, t, 'utf8'),
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
