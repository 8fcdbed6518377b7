"""Issue 18, session 22: where streamed inserts and deletes spend their time (cProfile, sorted by own time), DNII codes='flat' or
'pq4fs', on the `icmos bench dnii --workloads streaming` plan: `--steps` insert batches, after each 10% as many deletes of random
live ids and 100 queries (not profiled). Prints the rates (slowed by the profiler) and the top functions of each path.
    python reports/scripts/dnii_pq_insert_profile.py --real minilm101k.npy --codes pq4fs [--n 100000] [--top 18]"""
import argparse, cProfile, pstats, time
import numpy as np, torch, faiss
from icmos.dnii import DNII

def main():
    p = argparse.ArgumentParser(); p.add_argument('--real', required=True); p.add_argument('--codes', default='pq4fs'); p.add_argument('--n', type=int, default=100000)
    p.add_argument('--steps', type=int, default=10); p.add_argument('--list-size', type=int, default=512); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--top', type=int, default=18); a = p.parse_args()
    torch.set_num_threads(a.threads); faiss.omp_set_num_threads(a.threads)
    R = np.load(a.real).astype(np.float32); R /= np.linalg.norm(R, axis=1, keepdims=True)
    X, Q = np.ascontiguousarray(R[:a.n]), np.ascontiguousarray(R[-1000:]); N = len(X); rng = np.random.default_rng(1)
    bounds = np.linspace(0, N, a.steps + 1).astype(int); live = np.zeros(N, bool); plan = []
    for s in range(a.steps):
        live[bounds[s]:bounds[s + 1]] = True; dl = rng.choice(np.flatnonzero(live), (bounds[s + 1] - bounds[s]) // 10, replace=False); live[dl] = False; plan.append(dl)
    ix = DNII(d=X.shape[1], list_size=a.list_size, codes=a.codes); pi, pd_ = cProfile.Profile(), cProfile.Profile(); ti = td = 0.0
    for s in range(a.steps):
        i = np.arange(bounds[s], bounds[s + 1])
        t = time.perf_counter(); pi.enable(); ix.add(i, X[i], time=i.astype(float)); pi.disable(); ti += time.perf_counter() - t
        t = time.perf_counter(); pd_.enable(); ix.delete(plan[s]); pd_.disable(); td += time.perf_counter() - t
        ix.search(Q[:100], 10)
    print(f'codes={a.codes} inserts/s {N / ti:.0f} deletes/s {sum(map(len, plan)) / td:.0f} (under cProfile)')
    for pr, name in ((pi, 'INSERTS'), (pd_, 'DELETES')): print('=====', name); pstats.Stats(pr).sort_stats('tottime').print_stats(a.top)

if __name__ == '__main__': main()
