import { Dataset, NdArray } from '../types/dataset';
import { bundle, BundleOptions } from './bundle';
import { sendBundle } from './tslabAdapter';

/**
 * Displays a Dataset or ndarray in the notebook: one output with the lowdose viewer payload,
 * a PNG preview and a text summary (see {@link bundle} for what each shape shows).
 * @throws KernelError outside a tslab kernel.
 * @example lowdose.display.show(img, { colormap: 'inferno' });
 */
export function show(x: Dataset | NdArray, options: BundleOptions = {}): void {
  sendBundle(bundle(x, options));
}
