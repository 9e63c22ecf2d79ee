import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

// The Vega-Lite v5 JSON schema is not available offline (not in the repository or node_modules), so these tests
// check the spec's structure: v5 $schema, plain JSON (no NaN/Infinity), every encoded field present in its layer's data.

type Layer = { data: { values: Array<Record<string, unknown>> }; mark: { type: string }; encoding: Record<string, { field?: string }> };

/** Throws when a value is not plain, finite JSON; returns the layers. */
export function checkLayeredSpec(spec: lowdose.plot.VegaLiteSpec): Layer[] {
  assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, 'spec survives a JSON round trip');
  const walk = (v: unknown, where: string): void => {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `non-finite number at ${where}`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
  };
  walk(spec, 'spec');
  const layers = spec.layer as Layer[];
  assert.ok(Array.isArray(layers) && layers.length > 0);
  for (const l of layers) {
    assert.ok(typeof l.mark.type === 'string');
    const keys = new Set(l.data.values.flatMap(r => Object.keys(r)));
    for (const [channel, enc] of Object.entries(l.encoding)) {
      if (channel === 'tooltip' || !enc.field) continue;
      assert.ok(l.data.values.length === 0 || keys.has(enc.field), `${l.mark.type}.${channel} encodes missing field ${enc.field}`);
    }
  }
  return layers;
}
