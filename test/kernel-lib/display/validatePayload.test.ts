import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

const IMAGE_MIME = 'application/vnd.lowdose.image.v1+json';

function goodPayload(): Record<string, unknown> {
  const b = lowdose.display.bundle(lowdose.simulate.latticeImage({ shape: [16, 16] }));
  return JSON.parse(JSON.stringify(b.data[IMAGE_MIME]));
}

describe('display/validatePayload', () => {
  it('accepts what bundle() produces', () => {
    assert.equal(lowdose.display.validateImagePayload(goodPayload()).ok, true);
  });

  it('rejects a newer payload version with a message asking to update the extension', () => {
    const p = { ...goodPayload(), version: 2 };
    const v = lowdose.display.validateImagePayload(p);
    assert.equal(v.ok, false);
    assert.match((v as { message: string }).message, /newer lowdose.*Update lowdose-jupyterlab/);
  });

  it('names the first malformed field', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...goodPayload(), shape: [16] }, /payload\.shape/],
      [{ ...goodPayload(), colormap: '<img src=x onerror=alert(1)>' }, /payload\.colormap must be one of gray, inferno, viridis/],
      [{ ...goodPayload(), axes: [{ name: 'y', size: 16, scale: 0.5, offset: 0, units: 'furlong' }, {}] }, /payload\.axes\[0\]\.units/],
      [{ ...goodPayload(), preview: { ...(goodPayload().preview as object), data: 'AAAA' } }, /must decode to rows × cols × 2 = 512 bytes; got 3/]
    ];
    for (const [p, re] of cases) {
      const v = lowdose.display.validateImagePayload(p);
      assert.equal(v.ok, false);
      assert.match((v as { message: string }).message, re);
    }
    assert.equal(lowdose.display.validateImagePayload(null).ok, false);
    assert.equal(lowdose.display.validateImagePayload('a string').ok, false);
  });
});
