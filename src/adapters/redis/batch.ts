/**
 * Calls of one batched script queued until the pending microtasks have run, then sent `size` per call (no timer,
 * so a host's fake timers cannot hold them back). Each item brings its keys and arguments; the script answers one
 * value per item, in order. A call that fails (a key of the wrong type, a lost connection) rejects every item in
 * it; the items before the failing one were written, so their callers see a failure for a write that landed (a
 * retry with the same idempotency key then finds it).
 * Internal to the Redis stores (not exported by the package).
 */
export class ScriptBatch {
  #pending: Array<{ readonly keys: ReadonlyArray<string>; readonly args: ReadonlyArray<string | number>; readonly resolve: (r: unknown) => void; readonly reject: (e: unknown) => void }> = [];

  /**
   * @param send runs the script on a chunk's keys and arguments, concatenated in item order
   * @param size items per script call: bounds how long one call holds the server; a full chunk is sent at once,
   *   so the server works on it while the next fills
   * @param malformed the error every item of a chunk gets when the script's answer is not one value per item
   */
  constructor(
    private readonly send: (keys: Array<string>, args: Array<string | number>) => Promise<unknown>,
    private readonly size: number,
    private readonly malformed: (message: string) => unknown,
  ) {}

  add(keys: ReadonlyArray<string>, args: ReadonlyArray<string | number>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const n = this.#pending.push({ keys, args, resolve, reject });
      if (n >= this.size) this.#flush();
      else if (n === 1) queueMicrotask(() => this.#flush());
    });
  }

  #flush(): void {
    const all = this.#pending;
    if (all.length === 0) return;
    this.#pending = [];
    // Every chunk is sent at once (ioredis writes them back to back; the server runs them in order).
    for (let i = 0; i < all.length; i += this.size) {
      const chunk = all.slice(i, i + this.size);
      const keys: string[] = [];
      const args: Array<string | number> = [];
      for (const c of chunk) {
        for (const k of c.keys) keys.push(k);
        for (const a of c.args) args.push(a);
      }
      this.send(keys, args).then(
        (answers) => {
          if (Array.isArray(answers) && answers.length === chunk.length) chunk.forEach((c, k) => c.resolve(answers[k]));
          else {
            const e = this.malformed(`a batched script answered ${Array.isArray(answers) ? `${answers.length} items for ${chunk.length}` : typeof answers}`);
            for (const c of chunk) c.reject(e);
          }
        },
        (e: unknown) => {
          for (const c of chunk) c.reject(e);
        },
      );
    }
  }
}
