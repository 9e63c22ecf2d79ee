// Generic odd-radix pass of the batch FFT (layout and twiddles as in passes.ts).
import { cmulIm, cmulRe, twi, twr } from './passes';

/**
 * Generic odd-radix pass (any odd ip ≥ 7): pairs x_j ± x_(ip-j) so each output pair costs
 * (ip-1)/2 real-by-complex multiply-adds per term. cs holds cos, sin of 2πt/ip for t < ip;
 * sc is scratch for 2·ip elements.
 */
export function passg<T>(ido: i32, l1: i32, ip: i32, cc: usize, ch: usize, wa: usize, cs: usize, sc: usize): void {
  const sIn = <usize>ido << 5;
  const sOut = (<usize>ido * <usize>l1) << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  const h = (ip - 1) >> 1;
  for (let k = 0; k < l1; k++) {
    for (let i = 0; i < ido; i++) {
      const a = cc + ((<usize>i + <usize>ido * <usize>(ip * k)) << 5);
      const o = ch + ((<usize>i + <usize>ido * <usize>k) << 5);
      const x0r = v128.load(a), x0i = v128.load(a, 16);
      let y0r = x0r, y0i = x0i;
      // sc[2(j-1)] = a_j = x_j + x_(ip-j), sc[2(j-1)+1] = b_j = x_j - x_(ip-j)
      for (let j = 1; j <= h; j++) {
        const p = a + <usize>j * sIn, q = a + <usize>(ip - j) * sIn;
        const xr = v128.load(p), xi = v128.load(p, 16);
        const zr = v128.load(q), zi = v128.load(q, 16);
        const s = sc + (<usize>(2 * (j - 1)) << 5);
        const ar = v128.add<T>(xr, zr), ai = v128.add<T>(xi, zi);
        v128.store(s, ar);
        v128.store(s, ai, 16);
        v128.store(s, v128.sub<T>(xr, zr), 32);
        v128.store(s, v128.sub<T>(xi, zi), 48);
        y0r = v128.add<T>(y0r, ar);
        y0i = v128.add<T>(y0i, ai);
      }
      v128.store(o, y0r);
      v128.store(o, y0i, 16);
      // two outputs pairs (m, m+1) per sweep over the a_j, b_j: half the loads per multiply-add
      let m = 1;
      for (; m + 1 <= h; m += 2) {
        let rr = x0r, ri = x0i, rr2 = x0r, ri2 = x0i;
        let qr = v128.splat<T>(<T>0), qi = v128.splat<T>(<T>0), qr2 = v128.splat<T>(<T>0), qi2 = v128.splat<T>(<T>0);
        let idx = 0, idx2 = 0;
        let s = sc;
        for (let j = 1; j <= h; j++) {
          idx += m;
          if (idx >= ip) idx -= ip;
          idx2 += m + 1;
          if (idx2 >= ip) idx2 -= ip;
          const t = cs + <usize>idx * tws, t2 = cs + <usize>idx2 * tws;
          const c = v128.load_splat<T>(t), sn = v128.load_splat<T>(t + sizeof<T>());
          const c2 = v128.load_splat<T>(t2), sn2 = v128.load_splat<T>(t2 + sizeof<T>());
          const ar = v128.load(s), ai = v128.load(s, 16), br = v128.load(s, 32), bi = v128.load(s, 48);
          rr = v128.add<T>(rr, v128.mul<T>(ar, c));
          ri = v128.add<T>(ri, v128.mul<T>(ai, c));
          qr = v128.add<T>(qr, v128.mul<T>(br, sn));
          qi = v128.add<T>(qi, v128.mul<T>(bi, sn));
          rr2 = v128.add<T>(rr2, v128.mul<T>(ar, c2));
          ri2 = v128.add<T>(ri2, v128.mul<T>(ai, c2));
          qr2 = v128.add<T>(qr2, v128.mul<T>(br, sn2));
          qi2 = v128.add<T>(qi2, v128.mul<T>(bi, sn2));
          s += 64;
        }
        storeg<T>(o, sOut, ip, m, ido, i, wa, wOff, tws, rr, ri, qr, qi);
        storeg<T>(o, sOut, ip, m + 1, ido, i, wa, wOff, tws, rr2, ri2, qr2, qi2);
      }
      for (; m <= h; m++) {
        let rr = x0r, ri = x0i;
        let qr = v128.splat<T>(<T>0), qi = v128.splat<T>(<T>0);
        let idx = 0;
        let s = sc;
        for (let j = 1; j <= h; j++) {
          idx += m;
          if (idx >= ip) idx -= ip;
          const t = cs + <usize>idx * tws;
          const c = v128.load_splat<T>(t), sn = v128.load_splat<T>(t + sizeof<T>());
          rr = v128.add<T>(rr, v128.mul<T>(v128.load(s), c));
          ri = v128.add<T>(ri, v128.mul<T>(v128.load(s, 16), c));
          qr = v128.add<T>(qr, v128.mul<T>(v128.load(s, 32), sn));
          qi = v128.add<T>(qi, v128.mul<T>(v128.load(s, 48), sn));
          s += 64;
        }
        storeg<T>(o, sOut, ip, m, ido, i, wa, wOff, tws, rr, ri, qr, qi);
      }
    }
  }
}

/** Outputs m and ip−m of a generic butterfly: y_m = r − i·q, y_(ip−m) = r + i·q, twiddled. */
@inline function storeg<T>(o: usize, sOut: usize, ip: i32, m: i32, ido: i32, i: i32, wa: usize, wOff: usize, tws: usize, rr: v128, ri: v128, qr: v128, qi: v128): void {
  const ymr = v128.add<T>(rr, qi), ymi = v128.sub<T>(ri, qr);
  const ynr = v128.sub<T>(rr, qi), yni = v128.add<T>(ri, qr);
  const om = o + <usize>m * sOut, on = o + <usize>(ip - m) * sOut;
  if (ido == 1) {
    v128.store(om, ymr);
    v128.store(om, ymi, 16);
    v128.store(on, ynr);
    v128.store(on, yni, 16);
  } else {
    const wm = wa + <usize>(m - 1) * wOff + <usize>i * tws;
    const wn = wa + <usize>(ip - m - 1) * wOff + <usize>i * tws;
    let wr = twr<T>(wm), wi = twi<T>(wm);
    v128.store(om, cmulRe<T>(ymr, ymi, wr, wi));
    v128.store(om, cmulIm<T>(ymr, ymi, wr, wi), 16);
    wr = twr<T>(wn);
    wi = twi<T>(wn);
    v128.store(on, cmulRe<T>(ynr, yni, wr, wi));
    v128.store(on, cmulIm<T>(ynr, yni, wr, wi), 16);
  }
}
