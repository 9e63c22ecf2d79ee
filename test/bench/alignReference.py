"""Reference side of the motion-correction bench (test/bench/alignBench.mjs).

`alignReference.py MOVIE.npy` (a server: one stdin line `pcc` or `align` per timed run) times, on
the movie alignBench.mjs wrote,
  (b) a loop of skimage.registration.phase_cross_correlation(frame[0], frame[n], upsample_factor=20)
      over n = 1 … N−1 (what a notebook would write without lowdose), and
  (c) `align_frames`: the algorithm of lowdose.motion.alignFrames (kernel-lib/src/motion) ported to
      numpy + scipy.fft (workers=2) with its default options — same passes (defects, alignment
      spectra, chained groups with doubling, 3 coarse and the halving + 3 fine refinements against the
      sum of the other frames, robust random-walk trajectory fit, Fourier-shifted sum), same
      periodic-plus-smooth edges, Fourier crop, coherence weights, lattice-spot mask, peak search
      (whole-pixel grid, 5 × 5 zooms to 1/20 px, parabola) and the same cache policy (the full
      spectra of the last frames, as many as fit 256 MiB, kept for the sum; the others re-read and
      re-transformed).
      Correlations at sub-pixel positions are matrix products (BLAS), as in scikit-image.
"""

import json
import math
import sys
import time

import numpy as np
import scipy.fft

WORKERS = 2
TWO_PI = 2 * np.pi


# --- layout of a Fourier-cropped half spectrum (registration/_internal/halfSpectrumDft.ts) --------
def smooth235(n):
    m = max(1, n)
    while True:
        r = m
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return m
        m += 1


def crop_axis(n, kmax):
    keep = math.ceil(kmax * n) + 1
    m = smooth235(2 * (keep + 1))
    while m % 2:
        m = smooth235(m + 1)
    return (n if n % 2 == 0 else n + 1) if m >= n else max(8, m)


class Layout:
    def __init__(self, ny, nx, my, mx):
        self.ny, self.nx, self.rows, self.cols = ny, nx, my, mx // 2 + 1
        r = np.arange(my)
        self.row_freq = np.where(r < my / 2, r, r - my)
        self.row_mirror = (my - r) % my
        c = np.arange(self.cols)
        self.col_freq = c
        self.mirrored = (c >= 1) & (c < mx / 2)
        self.single = ~self.mirrored
        fy = self.row_freq / ny
        fx = self.col_freq / nx
        self.k2 = fy[:, None] ** 2 + fx[None, :] ** 2
        self.ay = TWO_PI * self.row_freq / ny
        self.ax = TWO_PI * self.col_freq / nx


def unshift(layout, s):
    """exp(+2πi(f_y·s_y/ny + f_x·s_x/nx)) on the cropped grid (moves content by −s)."""
    ey = np.exp(1j * TWO_PI * layout.row_freq * s[0] / layout.ny)
    ex = np.exp(1j * TWO_PI * layout.col_freq * s[1] / layout.nx)
    return ey[:, None] * ex[None, :]


# --- alignment spectra (motion/_internal/alignCore.ts) -------------------------------------------
def alignment_spectrum(frame, F, layout, filt):
    ny, nx, rows, cols = layout.ny, layout.nx, layout.rows, layout.cols
    fr = layout.row_freq
    A = np.fft.rfft(frame[ny - 1, :].astype(np.float64) - frame[0, :])[:cols]
    B = np.fft.fft(frame[:, nx - 1].astype(np.float64) - frame[:, 0])[fr % ny]
    wy = TWO_PI * fr / ny
    wx = TWO_PI * np.arange(cols) / nx
    ey = 1 - np.exp(1j * wy)
    ex = 1 - np.exp(1j * wx)
    den = 2 * np.cos(wx)[None, :] + 2 * np.cos(wy)[:, None] - 4
    v = A[None, :] * ey[:, None] + B[:, None] * ex[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(den != 0, v / np.where(den != 0, den, 1), 0)
    S = (F[fr % ny, :cols] - s) * filt
    S[2 * np.abs(fr) >= rows, :] = 0
    S[:, cols - 1] = 0
    S[0, 0] = 0
    return S.astype(np.complex64)


# --- spectral statistics (motion/_internal/spectralStats.ts) -------------------------------------
def box3(x):
    h = x.copy()
    h[:, 1:] += x[:, :-1]
    h[:, :-1] += x[:, 1:]
    return h + np.roll(h, 1, axis=0) + np.roll(h, -1, axis=0)


def coherence_weights(R, p_inc, mask=None, threshold=2):
    a = box3(R.real ** 2 + R.imag ** 2)
    b = box3(p_inc)
    ok = (p_inc != 0) & (a > threshold * b)
    if mask is not None:
        ok &= ~mask
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(ok, 1 - b / np.where(ok, a, 1), 0.0)
    w.flat[0] = 0
    return w


def lattice_spot_mask(power, layout, sigma=8):
    n = min(layout.ny, layout.nx)
    ring = np.floor(np.hypot((layout.row_freq / layout.ny * n)[:, None], (layout.col_freq / layout.nx * n)[None, :])).astype(int)
    thr = np.full(ring.max() + 1, np.inf)
    pos = power > 0
    for b in range(4, ring.max() + 1):
        v = np.sort(power[(ring == b) & pos])
        if v.size < 8:
            continue
        med = v[v.size >> 1]
        dev = np.sort(np.abs(v - med))
        thr[b] = max(med + sigma * 1.4826 * dev[dev.size >> 1], 3 * med)
    hit = power > thr[ring]
    h = hit.copy()
    h[:, 1:] |= hit[:, :-1]
    h[:, :-1] |= hit[:, 1:]
    return h | np.roll(h, 1, axis=0) | np.roll(h, -1, axis=0)


def sub_lattice_limit(power, mask, layout, min_fraction=0.2):
    """0.8 × |k| of the lowest spot element with ≥ min_fraction of the strongest spot's power (spectralStats.subLatticeLimit)."""
    m = mask.copy()
    m.flat[0] = False
    if not m.any():
        return math.inf
    top = power[m].max()
    strong = m & (power >= min_fraction * top)
    k = np.hypot((layout.row_freq / layout.ny)[:, None], (layout.col_freq / layout.nx)[None, :])
    limit = 0.8 * k[strong].min()
    return limit if limit * min(layout.ny, layout.nx) > 4 else math.inf


def white_noise(power, filt, k2):
    sel = (k2 > 0.25 * k2.max()) & (filt > 0.1) & (power > 0)
    outer = np.sort(power[sel] / filt[sel] ** 2)
    level = outer[outer.size >> 1] if outer.size else 0
    return level * filt * filt


def peak_sigma(U, R, W, noise, su, sr, layout, peak):
    P = U * np.conj(R) * W
    e = unshift(layout, peak)
    re = (P * e).real
    v = 2 * W * W * noise * (su * np.abs(R) ** 2 + sr * np.abs(U) ** 2)
    m = layout.mirrored[None, :] & (W != 0)
    ay2 = (layout.ay ** 2)[:, None]
    ax2 = (layout.ax ** 2)[None, :]
    dy = np.sum(2 * ay2 * re, where=m)
    dx = np.sum(2 * ax2 * re, where=m)
    vy = np.sum(ay2 * v, where=m)
    vx = np.sum(ax2 * v, where=m)
    return (math.sqrt(vy) / dy if dy > 0 else math.inf, math.sqrt(vx) / dx if dx > 0 else math.inf)


def peak_snr(value, U, R, W, noise, su, sr, layout):
    mult = np.where(layout.mirrored, 2.0, 1.0)[None, :]
    v = np.sum(mult * W * W * noise * (su * np.abs(R) ** 2 + sr * np.abs(U) ** 2))
    return value / math.sqrt(v) if v > 0 else math.inf


# --- correlation peaks (alignCore.ts zoomPeak / globalPeak) --------------------------------------
def correlation_at(P, layout, ys, xs):
    K = np.exp(1j * TWO_PI * np.outer(layout.col_freq, xs) / layout.nx)
    M = P[:, layout.mirrored] @ K[layout.mirrored]
    T = P[:, layout.single] @ K[layout.single] + M + np.conj(M[layout.row_mirror])
    E = np.exp(1j * TWO_PI * np.outer(ys, layout.row_freq) / layout.ny)
    return (E @ T).real


def parabola(a, b, c):
    den = a - 2 * b + c
    if not den < 0:
        return 0.0
    return max(-0.5, min(0.5, 0.5 * (a - c) / den))


def zoom_peak(P, layout, center, radius, h_min, h0=1.0):
    n0 = max(1, math.floor(radius / h0 + 0.5))  # JavaScript's Math.round
    axis = lambda c, n, h: c + (np.arange(2 * n + 1) - n) * h
    ys, xs = axis(center[0], n0, h0), axis(center[1], n0, h0)
    v = correlation_at(P, layout, ys, xs)
    i0, j0 = np.unravel_index(np.argmax(v), v.shape)
    py, px = ys[i0], xs[j0]
    at_edge = i0 in (0, len(ys) - 1) or j0 in (0, len(xs) - 1)
    h, best = h0, v[i0, j0]
    for _ in range(40):
        finest = h <= h_min
        if not finest:
            h /= 2.5
        ys, xs = axis(py, 1 if finest else 2, h), axis(px, 1 if finest else 2, h)
        v = correlation_at(P, layout, ys, xs)
        i, j = np.unravel_index(np.argmax(v), v.shape)
        py, px, best = ys[i], xs[j], v[i, j]
        if finest and i == 1 and j == 1:
            py += h * parabola(v[0, 1], v[1, 1], v[2, 1])
            px += h * parabola(v[1, 0], v[1, 1], v[1, 2])
            break
    return (py, px), best, at_edge


def global_peak(P, layout, max_shift, h_min):
    my, mx = layout.rows, 2 * (layout.cols - 1)
    cc = scipy.fft.irfft2(P, s=(my, mx), workers=1)
    sy, sx = layout.ny / my, layout.nx / mx
    y = np.where(np.arange(my) < my / 2, np.arange(my), np.arange(my) - my) * sy
    x = np.where(np.arange(mx) < mx / 2, np.arange(mx), np.arange(mx) - mx) * sx
    ok = (np.abs(y)[:, None] <= max_shift) & (np.abs(x)[None, :] <= max_shift)
    k = np.argmax(np.where(ok, cc, -np.inf))
    at = (y[k // mx], x[k % mx])
    pos, value, _ = zoom_peak(P, layout, at, max(sy, sx), h_min, min(1, max(sy, sx) / 2))
    return pos, value, abs(pos[0]) > max_shift or abs(pos[1]) > max_shift


# --- trajectory (motion/_internal/trajectory.ts) -------------------------------------------------
HUBER_K, JUMP_K, MIN_STEP_PX, MIN_MEAS_PX = 4, 2, 0.02, 0.01


def robust_var(v):
    if len(v) == 0:
        return 0.0
    s = np.sort(v)
    med = s[len(s) // 2]
    dev = np.sort(np.abs(s - med))
    return (1.4826 * dev[len(dev) // 2]) ** 2


def variogram_noise(units):
    M = len(units)
    if M < 4:
        return 0.0, 1.0
    G = sum(u["count"] for u in units) / M
    K = max(2, min(8, M // 3))
    ks, gs, ws = [], [], []
    for k in range(1, K + 1):
        d = []
        for ax in (0, 1):
            diff = np.array([units[i + k]["y"][ax] - units[i]["y"][ax] for i in range(M - k)])
            d.extend(diff - np.sort(diff)[len(diff) // 2])
        ks.append(k)
        gs.append(robust_var(np.array(d)) / 2)
        ws.append(M - k)
    ks, gs, ws = map(np.array, (ks, gs, ws))
    sw, sk, sg, skk, skg = ws.sum(), (ws * ks).sum(), (ws * gs).sum(), (ws * ks * ks).sum(), (ws * ks * gs).sum()
    b = (sw * skg - sk * sg) / (sw * skk - sk * sk)
    a = (sg - b * sk) / sw
    if not b > 0:
        b = max(1e-6, 0.01 * max(a, 0))
        a = max(0, sg / sw - b * (sk / sw))
    if a < 0:
        a, b = 0, skg / skk
    return a / 2, max(b / G, MIN_STEP_PX ** 2)


def step_from_sigmas(units, s2):
    if len(units) < 3:
        return 1.0
    d1 = []
    for ax in (0, 1):
        first = np.array([units[i + 1]["y"][ax] - units[i]["y"][ax] for i in range(len(units) - 1)])
        d1.extend(first - np.sort(first)[len(first) // 2])
    noise = sum(s2[i] + s2[i - 1] for i in range(1, len(units))) / (len(units) - 1)
    G = sum(u["count"] for u in units) / len(units)
    med = sorted(s2)[len(s2) >> 1]
    return max((robust_var(np.array(d1)) - noise) / G, 0.1 * med / G, MIN_STEP_PX ** 2)


def residual(u, x):
    return u["y"] - x[u["start"]:u["start"] + u["count"]].mean(axis=0)


def fit_with(N, units, s2, step2, free):
    sigma_step = math.sqrt(step2)
    w = np.array([u.get("weight", 1) / s2[k] for k, u in enumerate(units)])
    h = np.ones(max(0, N - 1))
    x = np.zeros((N, 2))
    for _ in range(15):
        A = np.zeros((N, N))
        rhs = np.zeros((N, 3))
        for k, u in enumerate(units):
            a = 1 / u["count"]
            if not w[k] > 0:
                continue
            sl = slice(u["start"], u["start"] + u["count"])
            A[sl, sl] += w[k] * a * a
            rhs[sl, 0:2] += w[k] * a * u["y"]
        c = np.where(np.arange(N - 1) < free, 1e-9 / step2, h / step2)
        idx = np.arange(N - 1)
        A[idx, idx] += c
        A[idx + 1, idx + 1] += c
        A[idx + 1, idx] -= c
        A[idx, idx + 1] -= c
        rhs[idx, 2] += c
        rhs[idx + 1, 2] -= c
        csum = c.sum()
        b = rhs[:, 2].copy()
        A[np.arange(N), np.arange(N)] += 1e-12 * A.diagonal().max()
        sol = np.linalg.solve(A, rhs)
        bMb = b @ sol[:, 2]
        bMr = b @ sol[:, 0:2]
        den = csum - bMb
        v = -bMr / den if den > 1e-12 * csum else np.zeros(2)
        x = sol[:, 0:2] - np.outer(sol[:, 2], v)
        c_step = JUMP_K * sigma_step * math.sqrt(2)
        r = np.hypot(*(x[1:] - x[:-1] - v).T)
        h = 1 / (1 + (r / c_step) ** 2)
        for k, u in enumerate(units):
            m = np.hypot(*residual(u, x))
            lim = HUBER_K * math.sqrt(s2[k]) * math.sqrt(2)
            base = u.get("weight", 1) / s2[k]
            w[k] = base * lim / m if m > lim else base
    return x, [residual(u, x) for u in units]


def fit_trajectory(N, units, free):
    meas2, step2 = variogram_noise(units)
    known = all(u.get("sigma") is not None and math.isfinite(u["sigma"]) and u["sigma"] > 0 for u in units)
    if known:
        s2 = [max(u["sigma"] ** 2, MIN_MEAS_PX ** 2) for u in units]
        step2 = step_from_sigmas(units, s2)
    else:
        s2 = [max(meas2, MIN_MEAS_PX ** 2)] * len(units)
    x, res = fit_with(N, units, s2, step2, free)
    for _ in range(3):
        if not (known and len(units) >= 6):
            break
        z = []
        for i, r in enumerate(res):
            if units[i].get("weight", 1) >= 0.5:
                z.extend(r / math.sqrt(s2[i]))
        scale = math.sqrt(robust_var(np.array(z)))
        if not scale > 1.3:
            break
        s2 = [v * scale * scale for v in s2]
        step2 = step_from_sigmas(units, s2)
        x, res = fit_with(N, units, s2, step2, free)
    return x


def interpolate_units(N, units):
    c = np.array([u["start"] + (u["count"] - 1) / 2 for u in units])
    y = np.array([u["y"] for u in units])
    n = np.arange(N)
    return np.stack([np.interp(n, c, y[:, 0]), np.interp(n, c, y[:, 1])], axis=1)


# --- drift (motion/_internal/estimateDrift.ts) ---------------------------------------------------
def units_of(n, size, alone=0, balanced=False):
    out, s = [], 0
    while s < min(alone, n) and size > 1:
        out.append({"start": s, "count": 1})
        s += 1
    if not balanced:
        while s < n:
            out.append({"start": s, "count": min(size, n - s)})
            s += size
        return out
    # at least `size` frames per unit, the remainder spread over them (the fine stage)
    rest = n - s
    count = max(1, rest // size)
    for i in range(count if rest > 0 else 0):
        a = s + (i * rest) // count
        b = s + ((i + 1) * rest) // count
        out.append({"start": a, "count": b - a})
    return out


def median_finite(a):
    s = sorted(v for v in a if math.isfinite(v))
    return s[len(s) // 2] if s else math.inf


def estimate_drift(spec, layout, o):
    N = len(spec)
    spec = [S.astype(np.complex128) for S in spec]
    power = [np.abs(S) ** 2 for S in spec]

    def weights(R, coarse, p_inc):
        w = coherence_weights(R, p_inc, o["spot_mask"] if coarse else None)
        if coarse and o.get("coarse_extra") is not None:
            w = w * o["coarse_extra"]
        w.flat[0] = 0
        return w

    def chain(G):
        groups = units_of(N, G)
        gspec = [sum(spec[n] for n in range(g["start"], g["start"] + g["count"])) for g in groups]
        gpow = [sum(power[n] for n in range(g["start"], g["start"] + g["count"])) for g in groups]
        total = sum(gspec)
        steps, snrs = [], []
        for g in range(1, len(groups)):
            if len(groups) > 2:
                W0 = weights(total - gspec[g - 1] - gspec[g], True, o["p_inc"] - gpow[g - 1] - gpow[g])
            else:
                W0 = weights(total, True, o["p_inc"])
            P = gspec[g] * np.conj(gspec[g - 1]) * W0
            pos, value, edge = global_peak(P, layout, o["max_shift"], o["h_min"] * 4)
            snr = peak_snr(value, gspec[g], gspec[g - 1], W0, o["noise"], groups[g]["count"] / N, groups[g - 1]["count"] / N, layout)
            snrs.append(snr)
            steps.append((np.array(pos), not edge and snr >= 5))
        good = [d for d, ok in steps if ok]
        med = np.array([sorted(d[ax] for d in good)[len(good) >> 1] if good else 0 for ax in (0, 1)])
        y = np.zeros(2)
        units = [dict(groups[0], y=y.copy())]
        for (d, ok), g in zip(steps, groups[1:]):
            y = y + (d if ok else med)
            units.append(dict(g, y=y.copy()))
        return groups, units, median_finite(snrs)

    G = min(o["group"], N)
    groups, gunits, snr = chain(G)
    while len(groups) > 3 and snr < 10 and 2 * G <= max(1, N // 4):
        G *= 2
        groups, gunits, snr = chain(G)
    positions = interpolate_units(N, gunits) if len(groups) > 1 else np.zeros((N, 2))
    p_inc = o["p_inc"]
    fine_stats = {}

    def refine(unit_list, coarse, radius, predict_fine=False):
        R = sum(spec[n] * unshift(layout, positions[n]) for n in range(N))
        out = []
        fine_stats["sigma"], fine_stats["snr"] = [], []
        for u in unit_list:
            frames = range(u["start"], u["start"] + u["count"])
            center = positions[u["start"]:u["start"] + u["count"]].mean(axis=0)
            Ua = sum(spec[n] * unshift(layout, positions[n]) for n in frames)
            Ru = R - Ua
            p_others = p_inc - sum(power[n] for n in frames)
            W = weights(Ru, coarse, p_others)
            P = Ua * np.conj(Ru) * W
            pos, _, edge = zoom_peak(P, layout, (0.0, 0.0), radius, o["h_min"])
            if edge and not coarse:
                Pc = Ua * np.conj(Ru) * weights(Ru, True, p_others)
                wide, _, wedge = zoom_peak(Pc, layout, (0.0, 0.0), o["coarse_radius"], o["h_min"] * 4)
                if not wedge:
                    again, _, aedge = zoom_peak(P, layout, wide, radius, o["h_min"])
                    if not aedge:
                        pos = again
            fu = u["count"] / N
            sig = peak_sigma(Ua, Ru, W, o["noise"], fu, 1 - fu, layout, pos)
            if predict_fine:
                Wf = weights(Ru, False, p_others)
                fine_stats["sigma"].append(max(peak_sigma(Ua, Ru, Wf, o["noise"], fu, 1 - fu, layout, pos)))
                at = correlation_at(Ua * np.conj(Ru) * Wf, layout, [pos[0]], [pos[1]])[0, 0]
                fine_stats["snr"].append(peak_snr(at, Ua, Ru, Wf, o["noise"], fu, 1 - fu, layout))
            out.append(dict(u, y=center + np.array(pos), sigma=max(sig[0], sig[1], 0.01), weight=0.01 if edge else 1))
        return out

    def fit_of(lst):
        finite = all(math.isfinite(u["sigma"]) for u in lst)
        free = 0
        while free < len(lst) - 1 and lst[free]["count"] == 1 and free < 1:
            free += 1
        return fit_trajectory(N, lst if finite else [dict(u, sigma=None) for u in lst], free)

    for it in range(3):
        gunits = refine(groups, True, o["coarse_radius"], it == 2)
        positions = fit_of(gunits)
    sG, snrG = median_finite(fine_stats["sigma"]), median_finite(fine_stats["snr"])
    by_sigma = math.ceil(G * (sG / 0.5) ** 2) if math.isfinite(sG) else G
    by_snr = math.ceil(G * (10 / snrG) ** 2) if math.isfinite(snrG) and snrG > 0 else 1
    fine = max(1, min(G, by_sigma, max(by_sigma, by_snr)))
    if G > 1 and N > 2:  # the first frame alone, lattice-free weights, wide window
        positions = fit_of(refine(units_of(N, G, 1), True, o["coarse_radius"]))
    def halving(start, to):
        out, g = [], start
        while g > to:
            g = max(to, math.ceil(g / 2))
            out.append(g)
        return out + [to] * o["fine_iterations"]

    sizes = halving(G, fine)
    it = 0
    while it < len(sizes):
        size = sizes[it]
        before = positions
        fine_units = refine(units_of(N, size, 1, True), False, o["search_radius"])
        positions = fit_of(fine_units)
        # multi-frame units whose measured σ allows smaller ones (estimateDrift.ts): halve on
        if size == fine and fine > 1:
            sg = median_finite([u["sigma"] for u in fine_units if u["count"] > 1])
            want = max(1, by_snr, math.ceil(fine * (sg / 0.5) ** 2)) if math.isfinite(sg) else fine
            if want < fine:
                sizes[it + 1:] = halving(fine, want)
                fine = want
                it += 1
                continue
        # converged at the final unit size (estimateDrift.ts CONVERGED_PX): skip the remaining passes
        if size == fine and moved_px(before, positions) < 0.01:
            break
        it += 1
    return positions, G, fine


def moved_px(a, b):
    """RMS change of the positions relative to frame 0, px."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = (b - b[0]) - (a - a[0])
    return math.sqrt(float(np.sum(d * d)) / len(a))


# --- the whole of alignFrames (motion/alignFrames.ts), default options ---------------------------
def detect_hot_pixels(s, sigma=8):
    p = np.pad(s, 1, mode="edge")
    rows, cols = s.shape
    nb = [p[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols] for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]
    mean = sum(nb) / 8
    mask = np.zeros(s.shape, bool)
    for r, c in zip(*np.nonzero(np.abs(s - mean) > sigma / 2 * np.sqrt(np.maximum(mean, 1)))):
        v = s[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2].ravel().tolist()
        v.remove(s[r, c])
        med = np.median(v)
        scale = max(1.4826 * np.median(np.abs(np.array(v) - med)), math.sqrt(max(med, 1)))
        mask[r, c] = abs(s[r, c] - med) > sigma * scale
    return mask


def neighbour_medians(image, mask, defects):
    rows, cols = image.shape
    out = []
    for r, c in defects:
        for R in (1, 2):
            win = (slice(max(r - R, 0), r + R + 1), slice(max(c - R, 0), c + R + 1))
            v = image[win][~mask[win]]
            if v.size or R == 2:
                out.append(float(np.median(v)) if v.size else 0.0)
                break
    return np.array(out, np.float32)


def align_frames(movie, upsample_factor=20, cache_mb=256):
    N, ny, nx = movie.shape
    # pass 0: frame sum → hot/dead pixels (none in the simulated movies; replacement kept simple)
    total = np.zeros((ny, nx))
    for f in movie:
        total += f
    mask = detect_hot_pixels(total)
    mean_counts = total[~mask].sum() / ((ny * nx - mask.sum()) * N)
    defects = list(zip(*np.nonzero(mask)))
    mean_replacement = neighbour_medians(total / N, mask, defects)

    def correct(f):
        if not defects:
            return f
        f = f.copy()
        values = neighbour_medians(f, mask, defects) if f.mean() >= 2 else mean_replacement
        for (r, c), v in zip(defects, values):
            f[r, c] = v
        return f

    # pass 1: alignment spectra
    k_limit = 1 / max(4, min(ny, nx) / 256)
    layout = Layout(ny, nx, crop_axis(ny, k_limit), crop_axis(nx, k_limit))
    filt = np.ones((layout.rows, layout.cols))
    nc = nx // 2 + 1
    cached_from = max(0, N - (cache_mb * 2 ** 20) // (ny * nc * 8))
    cache = {}
    spec = []
    power = np.zeros((layout.rows, layout.cols))
    for n, f in enumerate(movie):
        f = correct(f)
        F = scipy.fft.rfft2(f, workers=WORKERS)
        S = alignment_spectrum(f, F, layout, filt)
        power += np.abs(S.astype(np.complex128)) ** 2
        spec.append(S)
        if n >= cached_from:
            cache[n] = F
    group = max(1, min(16, math.ceil(1 / max(mean_counts, 1e-9))))
    spot_mask = lattice_spot_mask(power, layout)
    k_sub = sub_lattice_limit(power, spot_mask, layout)
    coarse_extra = (layout.k2 < k_sub ** 2).astype(np.float64) if math.isfinite(k_sub) else None
    o = dict(group=group, p_inc=power, noise=white_noise(power, filt, layout.k2), spot_mask=spot_mask, coarse_extra=coarse_extra,
             max_shift=min(32, min(ny, nx) / 8), coarse_radius=10, search_radius=3, fine_iterations=3, h_min=1 / upsample_factor)
    positions, G, fine = estimate_drift(spec, layout, o)
    shifts = positions - positions[0]
    # pass 2: Fourier-shifted sum
    fy = np.fft.fftfreq(ny, 1 / ny)
    fx = np.arange(nc)
    acc = np.zeros((ny, nc), np.complex128)
    for n in range(N):
        F = cache.pop(n) if n in cache else scipy.fft.rfft2(correct(movie[n]), workers=WORKERS)
        ey = np.exp(1j * TWO_PI * fy * shifts[n][0] / ny)
        ex = np.exp(1j * TWO_PI * fx * shifts[n][1] / nx)
        if ny % 2 == 0:
            ey[ny // 2] = ey[ny // 2].real
        if nx % 2 == 0:
            ex[nx // 2] = ex[nx // 2].real
        acc += F * ey[:, None] * ex[None, :]
    summed = scipy.fft.irfft2(acc, s=(ny, nx), workers=WORKERS).astype(np.float32)
    return shifts, summed, G, fine


def serve(path):
    """Loads the movie, then answers each stdin line `pcc` or `align` with one JSON line
    {seconds, shifts (content displacement of each frame, px), ...} (the bench interleaves these
    with lowdose's repeats, so both see the same machine load)."""
    from skimage.registration import phase_cross_correlation

    movie = np.load(path)
    for line in sys.stdin:
        what = line.strip()
        t0 = time.perf_counter()
        if what == "pcc":
            pcc = [phase_cross_correlation(movie[0], movie[n], upsample_factor=20)[0] for n in range(1, len(movie))]
            out = {"shifts": [[0.0, 0.0]] + [[-float(s[0]), -float(s[1])] for s in pcc]}
        elif what == "align":
            shifts, _, G, fine = align_frames(movie)
            out = {"shifts": shifts.tolist(), "groupFrames": G, "fineGroupFrames": fine}
        else:
            raise ValueError(f"unknown request {what!r}")
        out["seconds"] = time.perf_counter() - t0
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    serve(sys.argv[1])
