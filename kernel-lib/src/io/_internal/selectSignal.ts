// Picks one Dataset out of a file's signals by index, by title, or by default the first image-like one.
import { ValueError } from '../../errors';
import { Dataset } from '../../types/dataset';
import { hasColourAxis } from './lazySource';

/** True for a signal with at least two spatial axes longer than 1 (an RGB axis does not count). */
export function isImageLike(ds: Dataset): boolean {
  const shape = hasColourAxis(ds) ? ds.data.shape.slice(0, -1) : ds.data.shape;
  return shape.filter(s => s > 1).length >= 2;
}

/**
 * `signal` undefined: the first image-like signal (else the first); a number: that index; a
 * string: the signal whose `metadata.title` equals it (exactly, else ignoring case).
 * @throws ValueError naming `fn` when the index or title does not exist.
 */
export function selectSignal(datasets: Dataset[], signal: number | string | undefined, fn: string, file: string): Dataset {
  if (datasets.length === 0) throw new ValueError(`${fn}: ${file} must hold at least one signal; got none.`);
  if (signal === undefined) return datasets.find(isImageLike) ?? datasets[0];
  if (typeof signal === 'number') {
    if (!(Number.isInteger(signal) && signal >= 0 && signal < datasets.length)) {
      throw new ValueError(`${fn}: options.signal must be an integer in 0..${datasets.length - 1} (${file} holds ${datasets.length} signal(s)); got ${signal}.`);
    }
    return datasets[signal];
  }
  const titles = datasets.map(d => String(d.metadata.title ?? ''));
  let i = titles.indexOf(signal);
  if (i < 0) i = titles.findIndex(t => t.toLowerCase() === signal.toLowerCase());
  if (i < 0) {
    throw new ValueError(`${fn}: options.signal must be an index or one of the titles ${JSON.stringify(titles)} in ${file}; got ${JSON.stringify(signal)}.`);
  }
  return datasets[i];
}
