/** Derivative-free 1D minimisation (internal: inputs are trusted). */

/** Brent's minimisation on [a, b] (Brent 1973, "Algorithms for Minimization without Derivatives", ch. 5). */
export function brent(f: (x: number) => number, a: number, b: number, tol: number): number {
  const golden = 0.3819660112501051;
  let x = a + golden * (b - a);
  let v = x;
  let wv = x;
  let fx = f(x);
  let fv = fx;
  let fw = fx;
  let dStep = 0;
  let e = 0;
  for (let iter = 0; iter < 200; iter++) {
    const m = 0.5 * (a + b);
    const tol1 = tol * Math.abs(x) + 1e-14;
    const tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) break;
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      let r = (x - wv) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - wv) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      r = e;
      e = dStep;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - x) && p < q * (b - x)) {
        dStep = p / q;
        const u = x + dStep;
        if (u - a < tol2 || b - u < tol2) dStep = x < m ? tol1 : -tol1;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = (x >= m ? a : b) - x;
      dStep = golden * e;
    }
    const u = x + (Math.abs(dStep) >= tol1 ? dStep : dStep > 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      v = wv;
      fv = fw;
      wv = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || wv === x) {
        v = wv;
        fv = fw;
        wv = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === wv) {
        v = u;
        fv = fu;
      }
    }
  }
  return x;
}
