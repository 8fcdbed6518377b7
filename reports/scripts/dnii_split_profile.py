"""Issue 18: where streamed DNII inserts spend their time (cProfile, one process). Streams a hard_clusters set in --steps batches
with 10% deletes after each (as `icmos bench dnii`'s streaming workload), profiling the inserts only, and writes one row per
function of interest: cumulative seconds, calls, and the insert rate of the run.
    python reports/scripts/dnii_split_profile.py --n 100000 --list-size 256 --out reports/results/dnii_split_profile_cpu.csv
--split-batch 0|1 picks DNIIConfig.split_batch; --append --run R adds rows (with split_batch, run, nlist columns) to --out;
--code NAME adds a code column (which tree was on PYTHONPATH, for an old/new A/B of the same script)."""
import argparse, cProfile, csv, os, pstats, time
import numpy as np, torch
from icmos.dnii import DNII, hard_clusters

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--n', type=int, default=100000); p.add_argument('--d', type=int, default=256); p.add_argument('--steps', type=int, default=10)
p.add_argument('--list-size', type=int, default=256); p.add_argument('--lire', default='full'); p.add_argument('--threads', type=int, default=1)
p.add_argument('--split-batch', type=int, choices=(0, 1), default=1, help='DNIIConfig.split_batch: 1 all lists past the bound at once, 0 one at a time')
p.add_argument('--append', action='store_true', help='append rows to --out (with a run column) instead of starting it anew'); p.add_argument('--run', type=int, default=1)
p.add_argument('--code', default='', help='label of the code under test (adds a code column)')
p.add_argument('--out', required=True)
a = p.parse_args()
torch.set_num_threads(a.threads)
X = np.ascontiguousarray(hard_clusters(a.n, a.d, 10)[0], dtype=np.float32)
bounds = np.linspace(0, a.n, a.steps + 1).astype(int); rng = np.random.default_rng(1); live = np.zeros(a.n, bool)
ix = DNII(d=a.d, list_size=a.list_size, lire=a.lire, split_batch=bool(a.split_batch)); pr = cProfile.Profile(); ti = 0.0
for s in range(a.steps):
    i = np.arange(bounds[s], bounds[s + 1]); t = time.perf_counter()
    pr.enable(); ix.add(i, X[i], time=i.astype(float)); pr.disable(); ti += time.perf_counter() - t
    live[i] = True; dl = rng.choice(np.flatnonzero(live), size=len(i) // 10, replace=False); live[dl] = False; ix.delete(dl)
st = pstats.Stats(pr).stats  # (file, line, name) -> (calls, primitive calls, tottime, cumtime, callers)
want = ['add', '_insert_step', '_split_oversized_', '_split', '_split_batch', '_lire_new', '_lire_assign', '_spread', '_two_means', '_two_means_np', '_live',
        '_assign', '_rewrite', '_append', '_kmeans']
rows = []
for (f, line, name), (cc, nc, tt, ct, _) in st.items():
    if f.endswith('dnii.py') and name in want:
        rows.append(dict(function=name, calls=nc, cum_s=round(ct, 3), self_s=round(tt, 3)))
rows.sort(key=lambda r: -r['cum_s'])
cols = ['function', 'calls', 'cum_s', 'self_s', 'n', 'list_size', 'lire', 'threads', 'inserts_per_s', 'splits'] + (['split_batch', 'run', 'nlist'] if a.append else []) + (['code'] if a.code else [])
new = a.append and not (os.path.exists(a.out) and os.path.getsize(a.out))
with open(a.out, 'a' if a.append else 'w', newline='') as fh:
    w = csv.DictWriter(fh, cols)
    if not a.append or new: w.writeheader()
    extra = (dict(split_batch=a.split_batch, run=a.run, nlist=ix.nlist()) if a.append else {}) | (dict(code=a.code) if a.code else {})
    for r in rows: w.writerow(r | dict(n=a.n, list_size=a.list_size, lire=a.lire, threads=a.threads, inserts_per_s=round(a.n / ti), splits=ix.stats['splits']) | extra)
print(open(a.out).read())
