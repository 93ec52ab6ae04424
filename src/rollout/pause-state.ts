// Pause and abort bookkeeping collected during a pass and folded into the new status at the
// end (Argo's pauseContext). controllerPause is true while a pause condition the controller
// added exists; a user clears the conditions to resume, and the controller notices because
// controllerPause is still true (rollout-semantics §3, §6.2).
import type { PauseCondition, RolloutStatus } from '../api/rollout.ts';

export class PauseState {
  private readonly add: string[] = [];
  private readonly remove = new Set<string>();
  private clearAll = false;
  private addAbortFlag = false;
  private removeAbortFlag = false;
  abortMessage = '';

  constructor(private readonly old: RolloutStatus) {}

  addPause(reason: string): void {
    if (!this.add.includes(reason)) this.add.push(reason);
  }

  removePause(reason: string): void {
    this.remove.add(reason);
  }

  clearPauses(): void {
    this.clearAll = true;
  }

  addAbort(message: string): void {
    this.addAbortFlag = true;
    this.abortMessage = message;
  }

  removeAbort(): void {
    this.removeAbortFlag = true;
  }

  isAborted(): boolean {
    return this.addAbortFlag || (this.old.abort === true && !this.removeAbortFlag);
  }

  hasPause(reason: string): boolean {
    return (
      (this.old.pauseConditions ?? []).some((p) => p.reason === reason) &&
      !this.remove.has(reason) &&
      !this.clearAll
    );
  }

  /** Writes abort, abortedAt, pauseConditions and controllerPause into `s`. */
  apply(s: RolloutStatus, now: string): void {
    if (this.isAborted()) {
      s.abort = true;
      s.abortedAt = this.old.abortedAt ?? now;
      delete s.pauseConditions;
      delete s.controllerPause;
      return;
    }
    delete s.abort;
    delete s.abortedAt;
    let controllerPause = this.old.controllerPause === true;
    let list: PauseCondition[] = [];
    if (!this.clearAll) {
      const seen = new Set<string>();
      for (const c of this.old.pauseConditions ?? []) {
        seen.add(c.reason);
        if (!this.remove.has(c.reason)) list.push(c);
      }
      for (const reason of this.add) {
        if (seen.has(reason)) continue;
        list.push({ reason, startTime: now });
        controllerPause = true;
      }
    } else {
      list = [];
    }
    if (list.length === 0) controllerPause = false;
    if (list.length) s.pauseConditions = list;
    else delete s.pauseConditions;
    if (controllerPause) s.controllerPause = true;
    else delete s.controllerPause;
  }
}
