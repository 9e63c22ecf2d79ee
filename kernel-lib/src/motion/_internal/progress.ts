/**
 * In-place progress reports of long motion operations: one text/plain output updated through
 * tslab's display channel when running inside the kernel (design.md, display protocol), and/or a
 * callback. Nothing is printed outside a kernel.
 */
import { DisplayHandle, inKernel, newDisplayHandle } from '../../display/tslabAdapter';

/** A progress report: what is running and how far it got. */
export interface ProgressInfo {
  /** Stage name, e.g. 'reading', 'aligning', 'summing'. */
  stage: string;
  done: number;
  total: number;
  /** One-line human-readable summary. */
  message: string;
}

/** `true` (default): update one output in place inside a tslab kernel; `false`: silent; a function: called with every report. */
export type ProgressOption = boolean | ((p: ProgressInfo) => void);

export interface Reporter {
  report(stage: string, done: number, total: number, detail?: string): void;
  finish(message: string): void;
}

const MIN_INTERVAL_MS = 250;

export function reporter(fn: string, option: ProgressOption | undefined): Reporter {
  const callback = typeof option === 'function' ? option : undefined;
  let handle: DisplayHandle | undefined;
  let broken = false;
  if ((option ?? true) !== false && inKernel()) {
    try {
      handle = newDisplayHandle();
    } catch {
      broken = true;
    }
  }
  let last = 0;
  const show = (text: string, force: boolean): void => {
    if (!handle || broken) return;
    const now = Date.now();
    if (!force && now - last < MIN_INTERVAL_MS) return;
    last = now;
    try {
      handle.update({ data: { 'text/plain': text }, metadata: {} });
    } catch {
      broken = true; // a display failure must not stop the computation
    }
  };
  return {
    report(stage, done, total, detail) {
      const message = `${fn}: ${stage} ${done}/${total}${detail ? ` — ${detail}` : ''}`;
      callback?.({ stage, done, total, message });
      show(message, done === total);
    },
    finish(message) {
      callback?.({ stage: 'done', done: 1, total: 1, message: `${fn}: ${message}` });
      show(`${fn}: ${message}`, true);
    }
  };
}
