/**
 * Worker-thread entry of motionPool.ts: one MotionTasks per alignFrames call, one message per task
 * ({id, call, method, arg} → {id, result} or {id, error}). Results' own (non-shared) buffers are
 * transferred back, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { MotionTasks, TaskName } from './motionTasks';

const calls = new Map<number, MotionTasks>();

/** Non-shared ArrayBuffers of a typed array or of an object's typed arrays (two levels). */
function transferables(x: unknown, out: ArrayBuffer[] = [], depth = 0): ArrayBuffer[] {
  if (ArrayBuffer.isView(x)) {
    if (x.buffer instanceof ArrayBuffer && !out.includes(x.buffer)) out.push(x.buffer);
  } else if (x && typeof x === 'object' && depth < 2) {
    for (const v of Object.values(x)) transferables(v, out, depth + 1);
  }
  return out;
}

parentPort?.on('message', (m: { id: number; call: number; method: TaskName; arg: unknown }) => {
  try {
    let t = calls.get(m.call);
    if (!t) calls.set(m.call, (t = new MotionTasks()));
    const result = (t[m.method] as (a: unknown) => unknown).call(t, m.arg);
    if (m.method === 'end') calls.delete(m.call);
    // the frame goes back for reuse
    const data = (m.arg as { data?: unknown } | undefined)?.data;
    const back = data instanceof Float32Array && data.buffer instanceof ArrayBuffer ? data : undefined;
    const transfer = transferables(result);
    if (back && !transfer.includes(back.buffer as ArrayBuffer)) transfer.push(back.buffer as ArrayBuffer);
    parentPort?.postMessage({ id: m.id, result, data: back }, transfer);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    parentPort?.postMessage({ id: m.id, error: { name: err.name, message: err.message } });
  }
});
