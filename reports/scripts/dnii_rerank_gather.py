"""DNII `codes='pq4fs'` hop 2, exact re-rank: the selected scan that `icmos.dnii._rerank` runs (the probed lists holding a
candidate scanned by faiss with a bitmap of the candidates' row numbers) against gathering the candidates' float32 rows and
scoring them with numpy, timed in the same run, query by query (b = 1, as `search` is called by the runtime), variants in a
rotating order each repetition. Both share the fast-scan codes stage (timed alone as `codes_only`). Gathering is timed two ways:
`gather_mask` finds the candidates in their lists' id arrays through a
boolean mask of row numbers set and cleared per query (what DNII could do with what it keeps today), `gather_slot` reads a row -> slot map
built once before timing (a lower bound: DNII keeps no such map, and keeping one costs on every insert, split and compaction).
Data: `drifting_clusters` (unit vectors, the notebook's synthetic set) at the sizes of session 21's pq4fs rows (100K x 384,
k 10, rerank 10: 100 candidates), list_size 512 (`bench dnii`'s) and 256 (the runtime's `DNIIKeys`), nprobe 16 and 32; an index
built per (list_size, nprobe). Each row's `max_abs_diff` checks the variant's top k + 8 scores against the selected scan's (same
candidates, so the same exact scores up to float rounding). Timings are wall clock on whatever machine runs it: `loadavg_1m`
and `note` say how loaded it was.

  PYTHONPATH=. python reports/scripts/dnii_rerank_gather.py --out reports/results/dnii_rerank_gather_cpu.csv \
    --note '2-core VM shared with another CPU job'
"""
import argparse, csv, os, sys, time
import numpy as np

def measure(a, X, Q, list_size: int, nprobe: int) -> list[dict]:
    "The rows of one index (list_size) and nprobe: every variant, a.reps times, in a rotating order."
    import faiss
    from icmos.dnii import DNII, DNIIConfig, _rerank, _lid_of, _flist_vecs, _TIES
    ix = DNII(DNIIConfig(d=a.d, list_size=list_size, nprobe=nprobe, codes='pq4fs', rerank=a.rerank))
    for s in range(0, a.n, 10_000): ix.add(np.arange(s, min(s + 10_000, a.n)), X[s:s + 10_000])
    ix.search(Q[:1], k=a.k)   # syncs the codes
    fs = ix._fs; assert fs.pq is not None, 'the codebook is not trained'
    part = ix._parts[ix._ns_code['default']]; pr = min(nprobe, len(part.lids))
    kq = a.k + _TIES; kc = max(kq, min(a.rerank * a.k, len(ix)))
    sp = faiss.swig_ptr; prm = faiss.SearchParametersIVF(nprobe=pr); fs.ivf.parallel_mode = 0
    x = np.ascontiguousarray(Q); Dq, P = faiss.knn(x, part.cent.numpy(), pr); A = _lid_of(part.lids, P)   # hop 1, outside the timing
    il = fs.ivf.invlists
    ids_of = {l: faiss.rev_swig_ptr(il.get_ids(l), il.list_size(l)) for l in range(fs.cap) if il.list_size(l)}
    slot = np.full(ix._hw, -1, np.int64)
    for l, r in ids_of.items(): slot[r] = np.arange(len(r))

    def codes(i):
        Dc = np.empty((1, kc), np.float32); C = np.empty((1, kc), np.int64)
        fs.pq.search_preassigned_c(1, sp(x[i]), kc, sp(A[i]), sp(Dq[i]), sp(Dc), sp(C), False, prm)
        return C[0][C[0] >= 0]
    def top(s, r, Df, R):
        o = np.argsort(-s, kind='stable')[:kq]; Df[:] = -np.inf; R[:] = -1; Df[:len(o)] = s[o]; R[:len(o)] = r[o]
    mask = np.zeros(ix._hw, bool)
    def gather(i, Df, R, find, mark=False):
        c = codes(i); lo = ix._list[c]; ss, rr = [], []
        if mark: mask[c] = True
        for u in np.unique(lo):
            V = _flist_vecs(fs, int(u)); j = find(int(u), c[lo == u]); ss.append(V[j] @ x[i]); rr.append(ids_of[int(u)][j])
        if mark: mask[c] = False
        top(np.concatenate(ss), np.concatenate(rr), Df, R)
    run = {
        'selected_scan': lambda i, Df, R: _rerank(fs, x[i:i + 1], A[i:i + 1], Dq[i:i + 1], kq, kc=kc, Df=Df[None], R=R[None], p=pr,
                                                  hw=ix._hw, list_of=ix._list),
        'gather_mask': lambda i, Df, R: gather(i, Df, R, lambda u, cu: np.flatnonzero(mask[ids_of[u]]), mark=True),
        'gather_slot': lambda i, Df, R: gather(i, Df, R, lambda u, cu: slot[cu]),
        'codes_only': lambda i, Df, R: codes(i)}
    names = list(run); b = len(x)
    out = {v: (np.empty((b, kq), np.float32), np.empty((b, kq), np.int64)) for v in names}
    for v in names:   # warm-up pass, and the results compared below
        for i in range(b): run[v](i, out[v][0][i], out[v][1][i])
    ref = out['selected_scan'][0]
    diff = {v: float(np.nanmax(np.abs(np.where(np.isfinite(ref), out[v][0] - ref, 0)))) if v != 'codes_only' else float('nan') for v in names}
    rows = []; load0 = os.getloadavg()[0]
    for rep in range(a.reps):
        for v in names[rep % len(names):] + names[:rep % len(names)]:   # rotating order
            Df, R = np.empty(kq, np.float32), np.empty(kq, np.int64); f = run[v]
            t = time.perf_counter()
            for i in range(b): f(i, Df, R)
            dt = time.perf_counter() - t
            rows.append(dict(variant=v, rep=rep, n=a.n, d=a.d, list_size=list_size, nlist=len(part.lids), nprobe=pr, k=a.k,
                             rerank=a.rerank, kc=kc, queries=b, total_ms=round(dt * 1e3, 3), us_per_query=round(dt / b * 1e6, 2),
                             max_abs_diff=diff[v], faiss_threads=faiss.omp_get_max_threads(), cpus=os.cpu_count(),
                             loadavg_1m=round(os.getloadavg()[0], 2), note=a.note))
    print(f'list_size {list_size}, nprobe {pr} of {len(part.lids)} lists: load average at start {load0:.2f}; median us/query over {a.reps} reps of {b} queries:')
    for v in names:
        us = [r['us_per_query'] for r in rows if r['variant'] == v]
        print(f'  {v:14s} {np.median(us):9.1f}  (min {min(us):.1f}, max {max(us):.1f})  max_abs_diff {diff[v]:.2e}')
    return rows

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=100_000); p.add_argument('--d', type=int, default=384)
    p.add_argument('--list-size', default='512,256', help='comma-separated: an index built for each')
    p.add_argument('--nprobe', default='16,32', help='comma-separated')
    p.add_argument('--k', type=int, default=10); p.add_argument('--rerank', type=int, default=10)
    p.add_argument('--queries', type=int, default=200); p.add_argument('--reps', type=int, default=5)
    p.add_argument('--note', default=''); p.add_argument('--out', required=True)
    a = p.parse_args(argv)
    from icmos.dnii import drifting_clusters
    X, Q = drifting_clusters(a.n, a.d, n_queries=a.queries, seed=0)
    rows = [r for ls in map(int, a.list_size.split(',')) for pr in map(int, a.nprobe.split(',')) for r in measure(a, X, Q, ls, pr)]
    with open(a.out, 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)
    return 0

if __name__ == '__main__': sys.exit(main())
