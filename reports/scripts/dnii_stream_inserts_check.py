"""Streamed inserts with deletes in between, old vs new DNII code on the same data, interleaved (issue 18, session 17: the LIRE
pass meets tombstones stored as NaN vectors).

python reports/scripts/dnii_stream_inserts_check.py --old DIR [--n 100000] [--batches 20] [--rounds 3] [--threads 2]
DIR holds the previous code as package `icmos_old` (see dnii_search_check.py). The hard set (seed n + d) arrives in `--batches`
batches; after each, 10% of a batch's size of the live ids is deleted (same ids for both codes). Prints inserts/s and deletes/s per
round and their medians, and whether both codes return the same ids at nprobe 16."""
import argparse, sys, time
import numpy as np, torch

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--old', required=True); p.add_argument('--n', type=int, default=100000); p.add_argument('--d', type=int, default=256)
    p.add_argument('--batches', type=int, default=20); p.add_argument('--rounds', type=int, default=3); p.add_argument('--threads', type=int, default=2)
    a = p.parse_args(); sys.path.insert(0, a.old)
    import faiss, icmos_old.dnii as old, icmos.dnii as new
    torch.set_num_threads(a.threads); faiss.omp_set_num_threads(a.threads)
    X, Q = new.hard_clusters(a.n, a.d, 1000, seed=a.n + a.d); ids = np.arange(a.n); res = {'old': [], 'new': []}; out = {}
    for r in range(a.rounds):
        for code, M in (('old', old), ('new', new)):
            ix = M.DNII(d=a.d, list_size=256); ti = td = 0.0; alive = np.zeros(a.n, bool); g = np.random.default_rng(3); nd = 0
            for s in np.array_split(ids, a.batches):
                t = time.perf_counter(); ix.add(s, X[s]); ti += time.perf_counter() - t; alive[s] = True
                dl = g.choice(np.flatnonzero(alive), len(s) // 10, replace=False); alive[dl] = False; nd += len(dl)
                t = time.perf_counter(); ix.delete(dl); td += time.perf_counter() - t
            res[code].append((a.n / ti, nd / td)); out[code] = ix.search(Q, 10, nprobe=16)[1]
        print(f'round {r}: ' + ', '.join(f'{c} {v[-1][0]:.0f} inserts/s {v[-1][1]:.0f} deletes/s' for c, v in res.items()), flush=True)
    print('median: ' + ', '.join(f'{c} {np.median([x[0] for x in v]):.0f} inserts/s {np.median([x[1] for x in v]):.0f} deletes/s' for c, v in res.items()))
    print(f'same ids at nprobe 16: {(out["old"] == out["new"]).mean():.6g}; splits {ix.stats["splits"]}')

if __name__ == '__main__': main()
