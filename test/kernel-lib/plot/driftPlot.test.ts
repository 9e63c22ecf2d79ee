import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { checkLayeredSpec } from './checkSpec';

describe('plot.driftPlot', () => {
  const shifts: Array<[number, number]> = [[0, 0], [1.2, -0.5], [2.5, -1.1], [3.1, -2.0]];

  it('driftPlot() draws the trajectory in the image plane (y down) coloured by frame, with measurements and a reference', () => {
    const layers = checkLayeredSpec(
      lowdose.plot.driftPlot(shifts, { measuredShiftsPx: [[0.1, 0.1], [2.8, -1.5]], measuredFrames: [{ start: 0, count: 2 }, { start: 2, count: 2 }], truthShiftsPx: shifts })
    );
    assert.deepEqual(layers.map(l => l.mark.type), ['line', 'point', 'line', 'point']);
    const traj = layers[3].data.values as Array<{ frame: number; dx: number; dy: number }>;
    assert.deepEqual(traj[2], { frame: 2, dx: -1.1, dy: 2.5, series: 'trajectory' });
    const y = layers[3].encoding.y as { scale: { reverse: boolean }; title: string };
    assert.equal(y.scale.reverse, true);
    assert.equal(y.title, 'dy (px, down)');
    assert.deepEqual((layers[1].data.values as Array<{ frame: number }>).map(v => v.frame), [0.5, 2.5]);
  });

  it('driftPlot() converts to Å, colours by dose, and rejects malformed input', () => {
    const layers = checkLayeredSpec(lowdose.plot.driftPlot(shifts, { units: 'A', pixelSizeA: 0.5, doseEPerA2: [0.5, 1.5, 2.5, 3.5] }));
    const traj = layers[layers.length - 1].data.values as Array<{ dx: number; dose: number }>;
    assert.equal(traj[1].dx, -0.25);
    assert.equal(traj[3].dose, 3.5);
    assert.equal((layers[layers.length - 1].encoding.color as { field: string }).field, 'dose');
    assert.throws(() => lowdose.plot.driftPlot(shifts, { units: 'A' }), lowdose.ValueError);
    assert.throws(() => lowdose.plot.driftPlot([[1, 2, 3]] as unknown as Array<[number, number]>), lowdose.ShapeError);
    assert.throws(() => lowdose.plot.driftPlot(shifts, { doseEPerA2: [1] }), lowdose.ShapeError);
  });
});
