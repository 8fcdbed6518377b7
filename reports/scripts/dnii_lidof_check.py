"""Issue 18, session 18: DNII.search at 1M with the probed lists' numbers looked up one by one (`icmos.dnii._lid_of`) against the
previous `np.asarray(part.lids)[P]`, which converted the whole Python list of ~2,300-2,900 list numbers at every query. Same index,
same queries, the two lookups swapped in and out round by round (interleaved); single-query p50 in microseconds, and whether both
return the same ids and scores.
    python reports/scripts/dnii_lidof_check.py [--n 1000000] [--datasets hard,synthetic] [--nprobe 2,4,8,16] [--rounds 5] [--threads 2] --out CSV"""
import argparse, time
import numpy as np, pandas as pd, torch, faiss
import icmos.dnii as D

def main():
    p = argparse.ArgumentParser(); p.add_argument('--n', type=int, default=1_000_000); p.add_argument('--d', type=int, default=256)
    p.add_argument('--datasets', default='hard,synthetic'); p.add_argument('--nprobe', default='2,4,8,16'); p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--queries', type=int, default=200); p.add_argument('--threads', type=int, default=2); p.add_argument('--out', required=True)
    a = p.parse_args(); torch.set_num_threads(a.threads); faiss.omp_set_num_threads(a.threads)
    lookups = {'whole list (before)': lambda lids, P: np.asarray(lids, np.int64)[P], 'probed only (_lid_of)': D._lid_of}
    rows = []
    for ds in a.datasets.split(','):
        X, Q = (D.hard_clusters(a.n, a.d, 1000, seed=a.n + a.d) if ds == 'hard' else D.drifting_clusters(a.n, a.d, 1000, seed=a.n + a.d))[:2]
        x = D.DNII(d=a.d, list_size=256)
        for s in np.array_split(np.arange(a.n), 10): x.add(s, X[s])
        nlist = len(x._parts[0].lids); del X
        for P_ in [int(v) for v in a.nprobe.split(',')]:
            lat, res = {k: [] for k in lookups}, {}
            rng = np.random.default_rng(0)
            for r in range(a.rounds):
                qs = rng.permutation(len(Q))[:a.queries]
                for name, fn in (lookups.items() if r % 2 == 0 else reversed(lookups.items())):
                    D._lid_of = fn; out = []
                    for qi in qs:
                        q = Q[qi:qi + 1]; t = time.perf_counter(); out.append(x.search(q, 10, nprobe=P_)); lat[name].append(1e6 * (time.perf_counter() - t))
                    res.setdefault(name, []).extend(out)
            D._lid_of = lookups['probed only (_lid_of)']
            same = all(np.array_equal(u[1], v[1]) and np.array_equal(u[0], v[0]) for u, v in zip(*res.values()))
            for name, v in lat.items():
                rows.append(dict(dataset=ds, n=a.n, nlist=nlist, nprobe=P_, lookup=name, p50_us=round(float(np.median(v)), 1),
                                 p90_us=round(float(np.percentile(v, 90)), 1), queries=len(v), same_results=same, threads=a.threads))
                print(rows[-1], flush=True)
    pd.DataFrame(rows).to_csv(a.out, index=False)

if __name__ == '__main__': main()
