"""Where a single-query DNII.search spends its time (issue 18, session 17): the old code's steps replayed one by one on its own
index, beside the new code and the `to_faiss_shards` export (faiss IndexIVFFlat over the same lists, live entries only).

python reports/scripts/dnii_search_profile.py --old DIR [--n 50000] [--nprobe 16,32] [--rounds 5] [--queries 100] [--threads 2]
DIR holds the previous code as package `icmos_old` (see dnii_search_check.py). The hard set (seed n + d) is streamed in 10 batches
into old and new DNII, 10% deleted. Each step is timed over `--queries` random single queries per round, steps interleaved by round
(a step right after another step's OpenMP region pays that region's spinning threads: rounds of one step at a time avoid it);
medians in microseconds, one line per nprobe."""
import argparse, sys, time
import numpy as np, torch

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--old', required=True); p.add_argument('--n', type=int, default=50000); p.add_argument('--d', type=int, default=256)
    p.add_argument('--nprobe', default='16,32'); p.add_argument('--rounds', type=int, default=5); p.add_argument('--queries', type=int, default=100)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args(); sys.path.insert(0, a.old)
    import faiss, icmos_old.dnii as old, icmos.dnii as new
    torch.set_num_threads(a.threads); faiss.omp_set_num_threads(a.threads); f, sp = faiss, faiss.swig_ptr
    X, Q = new.hard_clusters(a.n, a.d, 1000, seed=a.n + a.d); ids = np.arange(a.n); gone = np.random.default_rng(1).choice(a.n, a.n // 10, replace=False)
    ix = {}
    for code, M in (('old', old), ('new', new)):
        x = M.DNII(d=a.d, list_size=256)
        for s in np.array_split(ids, 10): x.add(s, X[s])
        x.delete(gone); ix[code] = x
    o = ix['old']; part = o._parts[0]; C = part.cent.numpy(); fs = o._fs; fs.ivf.parallel_mode = 0
    sh = ix['new'].to_faiss_shards(1); s0 = faiss.downcast_index(sh.at(0))
    for P_ in [int(v) for v in a.nprobe.split(',')]:
        st = {}   # per-query state passed between the replayed steps
        def knn(q): st['Dq'], Pc = f.knn(q, C, P_); st['A'] = np.asarray(part.lids, np.int64)[Pc]
        def scan(q, sel):
            prm = f.SearchParametersIVF(); prm.nprobe = P_
            if sel: bits = o._bits; prm.sel = s_ = f.IDSelectorBitmap(8 * len(bits), sp(bits))  # noqa: F841
            st['Df'] = Df = np.empty((1, 18), np.float32); st['R'] = R = np.empty((1, 18), np.int64)
            fs.ivf.search_preassigned_c(1, sp(q), 18, sp(st['A']), sp(st['Dq']), sp(Df), sp(R), False, prm)
        def post(q):
            Df, R = st['Df'], st['R']; hit = R >= 0; Df = np.where(hit, Df, -np.inf); Ie = np.where(hit, o._ext[np.where(hit, R, 0)], -1)
            ox = np.lexsort((np.where(hit, Ie, np.iinfo(np.int64).max), -Df), axis=-1)[:, :10]; np.take_along_axis(Df, ox, 1); np.take_along_axis(Ie, ox, 1)
        steps = {'old search': lambda q: o.search(q, 10, nprobe=P_), 'new search': lambda q: ix['new'].search(q, 10, nprobe=P_),
                 'shard IVFFlat (live only)': lambda q: s0.search(q, 10, params=f.SearchParametersIVF(nprobe=P_)),
                 'old: checks+_as_matrix': lambda q: o._as_matrix(q, 'queries'), 'old: knn+lids': knn,
                 'old: scan with selector': lambda q: (knn(q), scan(q, True)), 'old: scan without selector (tombstones scored)': lambda q: (knn(q), scan(q, False)),
                 'old: knn+scan+post': lambda q: (knn(q), scan(q, True), post(q))}
        lat = {k: [] for k in steps}; rng = np.random.default_rng(0)
        for r in range(a.rounds):
            for k, fn in steps.items():
                for qi in rng.permutation(len(Q))[:a.queries]:
                    q = Q[qi:qi + 1]; t = time.perf_counter(); fn(q); lat[k].append(1e6 * (time.perf_counter() - t))
        med = {k: float(np.median(v)) for k, v in lat.items()}
        print(f'n={a.n} nprobe={P_} ndead={o._ndead}: median us per query')
        for k, v in med.items(): print(f'  {k:50s} {v:8.1f}')
        print(f'  {"(knn+scan+post step, without knn and scan)":50s} {med["old: knn+scan+post"] - med["old: scan with selector"]:8.1f}')
        print(f'  {"(old search - knn+scan+post: search() wrapper)":50s} {med["old search"] - med["old: knn+scan+post"]:8.1f}', flush=True)

if __name__ == '__main__': main()
