/**
 * The one place lowdose touches tslab internals (pinned: tslab 1.0.22).
 *
 * A library inside node_modules must not `require('tslab')` itself: that can load a second copy
 * whose display throws "Not ready". tslab publishes the kernel's own `require` as
 * `globalThis.__tslab__.require`; through it we reach the kernel's `tslab/dist/jupyter` module,
 * whose `lastWriteDisplayData` sends a whole MIME bundle in ONE display_data message (tslab's
 * public `display` API sends one MIME type per message).
 */
import { randomBytes } from 'crypto';
import { KernelError } from '../errors';
import { MimeBundle } from './protocol';

/** The tslab version whose internals this adapter was written against. */
export const TSLAB_VERSION = '1.0.22';

interface DisplayDataContent {
  data: { [mime: string]: unknown };
  metadata: { [mime: string]: unknown };
  transient: { display_id?: string };
}

type WriteDisplayData = (content: DisplayDataContent, update: boolean) => void;

interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
}

type KernelRequire = (id: string) => unknown;

function kernelRequire(): KernelRequire | undefined {
  const tslab = (globalThis as { __tslab__?: { require?: KernelRequire } }).__tslab__;
  return typeof tslab?.require === 'function' ? tslab.require : undefined;
}

/** True when running inside a tslab kernel (the cell's `__tslab__` global is present). */
export function inKernel(): boolean {
  return kernelRequire() !== undefined;
}

function writer(caller: string): WriteDisplayData {
  const req = kernelRequire();
  if (!req) {
    throw new KernelError(
      `${caller}: no tslab kernel found (globalThis.__tslab__ is missing). show() only works in a ` +
        'notebook on the tslab TypeScript kernel; use lowdose.display.bundle(x) to get the MIME bundle as an object.'
    );
  }
  let jupyter: TslabJupyterModule;
  try {
    jupyter = req('tslab/dist/jupyter') as TslabJupyterModule;
  } catch (e) {
    throw new KernelError(`${caller}: cannot load tslab/dist/jupyter from the kernel (${(e as Error).message}); lowdose needs tslab ${TSLAB_VERSION}.`);
  }
  const write = jupyter?.lastWriteDisplayData;
  if (typeof write !== 'function') {
    throw new KernelError(
      `${caller}: tslab's display channel is not ready (lastWriteDisplayData is unset). Call show() from inside a running cell; lowdose needs tslab ${TSLAB_VERSION}.`
    );
  }
  return write;
}

/** Sends one MIME bundle as a single display_data message (or an update of `displayId`). */
export function sendBundle(b: MimeBundle, options: { displayId?: string; update?: boolean } = {}): void {
  const write = writer('display.show');
  write(
    { data: b.data, metadata: b.metadata, transient: options.displayId ? { display_id: options.displayId } : {} },
    options.update ?? false
  );
}

/** A display that can be replaced in place (progress reports): first `update` creates it. */
export interface DisplayHandle {
  readonly displayId: string;
  update(b: MimeBundle): void;
}

/** Creates a display handle whose later updates overwrite the same output. */
export function newDisplayHandle(): DisplayHandle {
  const displayId = randomBytes(8).toString('hex');
  let sent = false;
  return {
    displayId,
    update(b: MimeBundle): void {
      sendBundle(b, { displayId, update: sent });
      sent = true;
    }
  };
}
