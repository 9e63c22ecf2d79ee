/**
 * DOM pieces every lowdose renderer builds the same way: elements with a class, toolbar buttons
 * and groups, labelled number inputs, and the "cannot show this output" message with the bundle's
 * static PNG under it. Text only ever goes in through textContent; the PNG only as a data URL.
 */

/** A new element of `tag` with `className`. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}

/** A toolbar button: `data-action` for handlers, the description as tooltip and accessible name. */
export function button(action: string, text: string, description: string): HTMLButtonElement {
  const node = el('button', 'jp-lowdose-button');
  node.type = 'button';
  node.dataset.action = action;
  node.textContent = text;
  node.title = description;
  node.setAttribute('aria-label', description);
  return node;
}

/** A labelled toolbar group holding `children`. */
export function group(name: string, ...children: HTMLElement[]): HTMLDivElement {
  const node = el('div', 'jp-lowdose-group');
  node.setAttribute('role', 'group');
  node.setAttribute('aria-label', name);
  node.append(...children);
  return node;
}

/** A free-step number input with an id (for its label) and a tooltip. */
export function numberInput(id: string, description: string, className = 'jp-lowdose-number'): HTMLInputElement {
  const node = el('input', className);
  node.type = 'number';
  node.step = 'any';
  node.id = id;
  node.title = description;
  return node;
}

/** A label for the control with id `forId`. */
export function label(forId: string, text: string): HTMLLabelElement {
  const node = el('label', 'jp-lowdose-label');
  node.htmlFor = forId;
  node.textContent = text;
  return node;
}

/**
 * Under an error message, shows the bundle's static `image/png` (if it is plain base64) so the
 * reader still sees the image. The PNG only ever becomes an `<img>` data URL, never markup.
 */
export function showPngFallback(container: HTMLElement, png: unknown): void {
  if (typeof png !== 'string' || png.length === 0 || !/^[A-Za-z0-9+/=\s]+$/.test(png)) {
    return;
  }
  const note = el('div', 'jp-lowdose-error-note');
  note.textContent = 'Static preview:';
  const img = document.createElement('img');
  img.className = 'jp-lowdose-fallback';
  img.alt = 'static preview of the image';
  img.src = `data:image/png;base64,${png.replace(/\s+/g, '')}`;
  container.append(note, img);
}

/**
 * Hides the widget and shows "lowdose <widgetName> cannot show this output: <message>" in `error`,
 * with the bundle's static PNG under it (a malformed, hostile or newer-version payload).
 */
export function showRenderError(widget: HTMLElement, error: HTMLElement, widgetName: string, message: string, png: unknown): void {
  widget.hidden = true;
  error.hidden = false;
  error.replaceChildren();
  const text = el('div', 'jp-lowdose-error-message');
  text.textContent = `lowdose ${widgetName} cannot show this output: ${message}`;
  error.appendChild(text);
  showPngFallback(error, png);
}
