"""
Writes test/fixtures/distributions.json: reference values of the normal, Student t and chi-square functions that
src/core/special.ts computes, at 40 significant digits with mpmath (SciPy only seeds the root searches).

    pip install mpmath scipy && python3 scripts/distributions-fixture.py > /dev/null

Arguments are taken as the doubles the tests pass (mp.mpf(float(p))), so a reference is exact for its input.
Not run by the tests or CI: the fixture is committed; re-run it only to add points.
"""
import json, mpmath as mp
from scipy import special as sp
mp.mp.dps = 40
def tcdf(t, v):
    t = mp.mpf(t); v = mp.mpf(v)
    if t == 0: return mp.mpf(1)/2
    x = v / (v + t*t)
    try:
        tail = mp.betainc(v/2, mp.mpf(1)/2, 0, x, regularized=True) / 2
    except Exception:
        f = lambda s: mp.exp(-mp.log(v)/2 - mp.log(mp.beta(v/2, mp.mpf(1)/2)) - (v+1)/2*mp.log1p(s*s/v))
        tail = mp.quad(f, [-mp.inf, -abs(t) - 50, -abs(t)]) if abs(t) < 1e6 else None
    return tail if t < 0 else 1 - tail
def f(x): return float(x)
out = {"source": "mpmath 1.3.0 at 40 significant digits, scripts/distributions-fixture.py", "normalCdf": [], "normalQuantile": [], "studentTCdf": [], "studentTQuantile": [], "chiSquareSurvival": []}
# Each side of the approximations' interval ends (Cody: 0.66291 and √32; AS 241: |p − ½| = 0.425 and r = 5).
for x in [-38, -37.5, -33.17, -26, -20, -12.3, -10, -8.3, -5.657, -5.656, -5, -3.1, -1, -0.67, -0.66, -1e-8, 0, 0.3, 0.66, 0.67, 1.7, 3, 5, 5.65, 6.5, 8, 8.2]:
    out["normalCdf"].append([x, f(mp.ncdf(x))])
for p in ["1e-310", "1e-300", "1e-100", "1e-20", "1.38e-11", "1.39e-11", "1e-10", "3e-7", "2e-5", "0.001", "0.025", "0.0749", "0.0751", "0.1", "0.4999", "0.5", "0.6", "0.9249", "0.9251", "0.975", "0.999999"]:
    pm = mp.mpf(float(p))
    r = mp.findroot(lambda x: mp.log(mp.ncdf(x)) - mp.log(pm), mp.mpf(float(sp.ndtri(float(p)))), tol=mp.mpf(10)**-30) if pm != mp.mpf(1)/2 else mp.mpf(0)
    out["normalQuantile"].append([float(p), f(r)])
for v in [0.2, 1, 2.5, 7, 30, 1000, 1e5, 1e6]:
    for t in [-1e6, -50, -5, -2, -0.5, 0.5, 3]:
        r = tcdf(t, v)
        if r is None: continue
        out["studentTCdf"].append([t, v, f(r)])
for v in [0.3, 1, 1.5, 2.5, 3, 4, 7, 9, 30, 40, 300, 1000, 5000, 1e5, 1e6]:
    for p in ["1e-100", "1e-30", "1e-8", "0.0005", "0.025", "0.1", "0.3", "0.4", "0.975"]:
        pm = mp.mpf(float(p))
        g = float(sp.stdtrit(v, float(p)))
        if not (abs(g) < 1e150): continue
        try:
            r = mp.findroot(lambda t: mp.log(tcdf(t, v)) - mp.log(pm), mp.mpf(g), tol=mp.mpf(10)**-28)
        except Exception as e:
            print('skip', p, v); continue
        if abs(tcdf(r, v) / pm - 1) > mp.mpf(10)**-20: print('bad', p, v); continue
        out["studentTQuantile"].append([float(p), v, f(r)])
for df in [1, 2, 5, 30, 1000]:
    for x in [0.01, 0.5, 3.84, 20, 200, 3000]:
        out["chiSquareSurvival"].append([x, df, f(mp.gammainc(mp.mpf(df)/2, mp.mpf(x)/2, mp.inf, regularized=True))])
# Odd and even degrees up to 100 and past it, x to where e^(−x/2) underflows.
for df in [3, 7, 51, 99, 100, 101]:
    for x in [0.001, 1, 10, 100, 500, 1000, 1398, 1402]:
        out["chiSquareSurvival"].append([x, df, f(mp.gammainc(mp.mpf(df)/2, mp.mpf(x)/2, mp.inf, regularized=True))])
# Many degrees of freedom: the prefactor's ln terms reach 1e7 and cancel when taken directly.
for df in [100000, 2000000]:
    for z in [-3, 0, 2, 6]:
        x = float(df + z * (2 * df) ** 0.5)
        out["chiSquareSurvival"].append([x, df, f(mp.gammainc(mp.mpf(df)/2, mp.mpf(x)/2, mp.inf, regularized=True))])
with open('test/fixtures/distributions.json', 'w') as fh:
    fh.write('{\n  "source": ' + json.dumps(out.pop('source')) + ',\n')
    fh.write(',\n'.join('  ' + json.dumps(k) + ': [\n' + ',\n'.join('    ' + json.dumps(r) for r in v) + '\n  ]' for k, v in out.items()))
    fh.write('\n}\n')
print({k: len(v) for k, v in out.items() if k != 'source'})
