import { unitCell, UnitCell } from './unitCell';

/**
 * Candidate phases of science.md §1.16 as ready-made cells (lattice parameters as listed there,
 * room temperature unless stated; cryo cells shrink by up to ~1 %). Reflection conditions beyond
 * the centring are given where the d-spacing tables need them. Frozen: copy with
 * `unitCell({...cells.x, a: …})` to change a value.
 *
 * @example lowdose.crystal.dSpacing(lowdose.crystal.cells.alphaNNB, [1, 0, 0]); // 4.695
 */
export const cells = {
  /** α-Na₂(BH₄)(NH₂), cubic Pm-3m, a = 4.6950 Å (Somer et al., J. Alloys Compd. 491, 98 (2010), doi:10.1016/j.jallcom.2009.11.018). */
  alphaNNB: make({ name: 'α-NNB Na2(BH4)(NH2)', spaceGroup: 'Pm-3m', a: 4.695, reference: 'Somer et al. 2010' }),
  /** β-Na₂(BH₄)(NH₂), orthorhombic Pbcm, 6.5384 × 6.4960 × 9.8512 Å (same reference). */
  betaNNB: make({
    name: 'β-NNB Na2(BH4)(NH2)',
    spaceGroup: 'Pbcm',
    a: 6.5384,
    b: 6.496,
    c: 9.8512,
    reflectionConditions: ['0kl: k=2n', 'h0l: l=2n', '0k0: k=2n', '00l: l=2n'],
    reference: 'Somer et al. 2010'
  }),
  /** Li (bcc), Im-3m, a = 3.509 Å (room temperature; ≈ 3.48 Å near 90 K). */
  li: make({ name: 'Li', spaceGroup: 'Im-3m', a: 3.509 }),
  /** Li₂O antifluorite, Fm-3m, a = 4.611 Å. */
  li2o: make({ name: 'Li2O', spaceGroup: 'Fm-3m', a: 4.611 }),
  /** LiF rock salt, Fm-3m, a = 4.027 Å. */
  lif: make({ name: 'LiF', spaceGroup: 'Fm-3m', a: 4.027 }),
  /** Li₃N, P6/mmm, a = 3.648, c = 3.875 Å. */
  li3n: make({ name: 'Li3N', spaceGroup: 'P6/mmm', a: 3.648, b: 3.648, c: 3.875, gammaDeg: 120 }),
  /** Li₂CO₃, C2/c (unique axis b), 8.3593 × 4.9725 × 6.1975 Å, β = 114.83° (COD 9008283). */
  li2co3: make({
    name: 'Li2CO3',
    spaceGroup: 'C2/c',
    a: 8.3593,
    b: 4.9725,
    c: 6.1975,
    betaDeg: 114.83,
    reflectionConditions: ['h0l: l=2n'],
    reference: 'Effenberger & Zemann 1979, COD 9008283'
  }),
  /** β-Li₃PO₄, Pmn2₁, 6.115 × 5.239 × 4.855 Å (values uncertain, Zemann 1960). */
  betaLi3po4: make({
    name: 'β-Li3PO4',
    spaceGroup: 'Pmn21',
    a: 6.115,
    b: 5.239,
    c: 4.855,
    reflectionConditions: ['h0l: h+l=2n', 'h00: h=2n', '00l: l=2n']
  }),
  /** γ-Li₃PO₄, Pnma, 10.475 × 6.120 × 4.923 Å (values uncertain). */
  gammaLi3po4: make({
    name: 'γ-Li3PO4',
    spaceGroup: 'Pnma',
    a: 10.475,
    b: 6.12,
    c: 4.923,
    reflectionConditions: ['0kl: k+l=2n', 'hk0: h=2n', 'h00: h=2n', '0k0: k=2n', '00l: l=2n']
  }),
  /** Si, Fd-3m, a = 5.4309 Å (diamond glide conditions included: (200) is forbidden). */
  si: make({
    name: 'Si',
    spaceGroup: 'Fd-3m',
    a: 5.4309,
    reflectionConditions: ['0kl: k+l=4n', 'h0l: h+l=4n', 'hk0: h+k=4n']
  }),
  /** Pb, Fm-3m, a = 4.9508 Å. */
  pb: make({ name: 'Pb', spaceGroup: 'Fm-3m', a: 4.9508 }),
  /** PbI₂ (2H), P-3m1, a = 4.557, c = 6.979 Å. */
  pbi2: make({ name: 'PbI2', spaceGroup: 'P-3m1', a: 4.557, b: 4.557, c: 6.979, gammaDeg: 120 }),
  /** MAPbI₃ tetragonal (≈ 162–327 K), I4/mcm, a ≈ 8.86, c ≈ 12.66 Å (±0.3 %, uncertain). */
  mapbi3Tetragonal: make({
    name: 'MAPbI3 (tetragonal)',
    spaceGroup: 'I4/mcm',
    a: 8.86,
    c: 12.66,
    reflectionConditions: ['0kl: k=2n', '0kl: l=2n', 'h0l: h=2n', 'h0l: l=2n', 'hhl: l=2n']
  }),
  /** Na₃V₂(PO₄)₂F₃ (NVPF), Amam, 9.02847 × 9.04444 × 10.74666 Å (Bianchini et al., Chem. Mater. 26, 4238 (2014)). */
  nvpf: make({
    name: 'NVPF Na3V2(PO4)2F3',
    spaceGroup: 'Amam',
    a: 9.02847,
    b: 9.04444,
    c: 10.74666,
    reflectionConditions: ['h0l: h=2n'],
    reference: 'Bianchini et al. 2014'
  })
};

function make(options: Parameters<typeof unitCell>[0]): UnitCell {
  return deepFreeze(unitCell(options));
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}
