/**
 * A one-line progress indicator: rewritten in place on a terminal, one line per tick otherwise (CI logs),
 * at most a few times per second so it never slows the simulation down.
 */
export interface Progress {
  /** Updates the line (`done` of `total` steps, with a short status). */
  update(done: number, total: number, status: string): void;
  /** Clears the line (terminal) and prints the final message. */
  finish(message: string): void;
}

/** Creates a progress line on `stream` (default `process.stderr`); `quiet` disables it (tests). */
export function createProgress(options: { stream?: NodeJS.WriteStream; quiet?: boolean; label?: string } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const label = options.label ?? 'demo';
  const started = performance.now();
  let last = -Infinity;
  let width = 0;
  return {
    update(done, total, status) {
      if (options.quiet) return;
      const t = performance.now();
      if (t - last < (tty ? 100 : 2000) && done < total) return;
      last = t;
      const ratio = total > 0 ? done / total : 1;
      const bar = '█'.repeat(Math.round(ratio * 20)).padEnd(20, '░');
      const line = `${label} ${bar} ${String(Math.round(ratio * 100)).padStart(3)}% · ${status} · ${((t - started) / 1000).toFixed(1)} s`;
      if (tty) {
        stream.write(`\r${line.padEnd(width)}`);
        width = line.length;
      } else stream.write(`${line}\n`);
    },
    finish(message) {
      if (options.quiet) return;
      if (tty) stream.write(`\r${' '.repeat(width)}\r`);
      stream.write(`${message}\n`);
    },
  };
}
