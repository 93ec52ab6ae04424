// --data-dir: the store is snapshotted to one JSON file shortly after writes and on stop,
// written to a temp file and renamed so a crash never leaves a half-written state.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot, Store } from './store/store.ts';

export class Persistence {
  private timer: NodeJS.Timeout | undefined;
  private readonly file: string;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    dir: string,
    private readonly delayMs = 200,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'state.json');
    this.unsubscribe = store.onWrite(() => this.schedule());
  }

  /** Reads the last snapshot, if any. */
  static load(dir: string): Snapshot | undefined {
    const file = join(dir, 'state.json');
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.store.snapshot()));
    renameSync(tmp, this.file);
  }

  stop(): void {
    this.unsubscribe();
    this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    this.timer.unref();
  }
}
