"""Issue 18, session 22: streamed inserts and deletes of DNII codes='flat' and codes='pq4fs' with the code of two trees side by side
(`--tree NAME=PATH`, repeated: e.g. session 21's and this one's), same data, same workload, each (tree, codes) run in its own process, the trees'
order swapped rep by rep (interleaved: the shared machine's load hits both alike); the load average is recorded around each run.
Workload as `icmos bench dnii --workloads streaming`: `--steps` equal insert batches, after each 10% as many deletes of random live
ids and 100 queries. Per run: inserts/s over all the steps, and over steps 2.. (after the one-off codebook training, which
`codes='pq4fs'` does inside the first add), deletes/s, recall@10 at each nprobe (pq4fs: at rerank 10, the default, and at rerank 1,
where the results hang on the codes), and a digest of the search results (ids and scores of every search): the trees must agree.
    python reports/scripts/dnii_pq_insert_check.py --tree before=OLD_TREE --tree after=. --real minilm101k.npy [--reps 3] --out CSV"""
import argparse, hashlib, json, os, subprocess, sys, time

def worker(a):
    import numpy as np, torch, faiss
    from icmos.dnii import DNII
    torch.set_num_threads(a.threads); faiss.omp_set_num_threads(a.threads)
    R = np.load(a.real).astype(np.float32); R /= np.linalg.norm(R, axis=1, keepdims=True)
    Q, X = np.ascontiguousarray(R[-a.queries:]), np.ascontiguousarray(R[:a.n]); N = len(X)
    rng = np.random.default_rng(1); bounds = np.linspace(0, N, a.steps + 1).astype(int); live = np.zeros(N, bool); plan = []
    for s in range(a.steps):   # the bench's plan (`_Bench.streaming`)
        live[bounds[s]:bounds[s + 1]] = True; cand = np.flatnonzero(live)
        dl = rng.choice(cand, size=(bounds[s + 1] - bounds[s]) // 10, replace=False); live[dl] = False; plan.append(dl)
    alive = np.flatnonzero(live)
    ix = DNII(d=X.shape[1], list_size=a.list_size, codes=a.codes); ti = []; td = 0.0
    for s in range(a.steps):
        i = np.arange(bounds[s], bounds[s + 1]); t = time.perf_counter(); ix.add(i, X[i], time=i.astype(float)); ti.append(time.perf_counter() - t)
        t = time.perf_counter(); ix.delete(plan[s]); td += time.perf_counter() - t
        ix.search(Q[:100], 10)
    gt = faiss.knn(Q, X[alive], 10, metric=faiss.METRIC_INNER_PRODUCT)[1]; gt = alive[gt]
    out = dict(inserts_per_s=N / sum(ti), inserts_per_s_after_first=(N - bounds[1]) / sum(ti[1:]), first_add_s=ti[0],
               deletes_per_s=sum(map(len, plan)) / td, nlist=ix.nlist(), splits=ix.stats['splits'], merges=ix.stats['merges'])
    h = hashlib.sha256()
    torch.set_num_threads(1); faiss.omp_set_num_threads(1)
    for p in a.nprobe:   # codes='pq4fs': at rerank 10 (the default) and 1 (18 candidates: results that hang on the codes themselves)
        for r in ((10, 1) if a.codes == 'pq4fs' else (10,)):
            D, I = ix.search(Q, 10, nprobe=p, rerank=r); h.update(I.tobytes()); h.update(D.tobytes())
            out[f'recall_at_10_nprobe{p}' + ('' if r == 10 else f'_rerank{r}')] = float(np.mean([len(set(x) & set(y)) / 10 for x, y in zip(I, gt)]))
    out['results_sha256'] = h.hexdigest()[:16]
    print(json.dumps(out))

def main():
    p = argparse.ArgumentParser(); p.add_argument('--tree', action='append', default=[], help='NAME=PATH: a tree holding icmos/ (repeat)')
    p.add_argument('--real', required=True); p.add_argument('--n', type=int, default=100000); p.add_argument('--queries', type=int, default=1000)
    p.add_argument('--steps', type=int, default=10); p.add_argument('--list-size', type=int, default=512); p.add_argument('--codes', default='flat,pq4fs')
    p.add_argument('--nprobe', default='8,16,32,64'); p.add_argument('--threads', type=int, default=2); p.add_argument('--reps', type=int, default=3)
    p.add_argument('--out'); p.add_argument('--worker', action='store_true')
    a = p.parse_args(); a.nprobe = [int(v) for v in a.nprobe.split(',')]
    if a.worker: return worker(a)
    import pandas as pd
    trees = [(t.split('=', 1)[0], os.path.abspath(t.split('=', 1)[1])) for t in a.tree]; rows = []
    for rep in range(a.reps):
        for name, tree in (trees if rep % 2 == 0 else trees[::-1]):   # order swapped rep by rep
            for codes in a.codes.split(','):
                cmd = [sys.executable, __file__, '--worker', '--real', a.real, '--n', str(a.n), '--queries', str(a.queries), '--steps', str(a.steps),
                       '--list-size', str(a.list_size), '--codes', codes, '--nprobe', ','.join(map(str, a.nprobe)), '--threads', str(a.threads)]
                l0 = os.getloadavg()[0]; t = time.time()
                r = subprocess.run(cmd, env={**os.environ, 'PYTHONPATH': tree}, capture_output=True, text=True, check=True)
                res = json.loads(r.stdout.strip().splitlines()[-1])
                rows.append(dict(rep=rep, code=name, codes=codes, n=a.n, steps=a.steps, list_size=a.list_size, threads=a.threads, **res,
                                 load_before=round(l0, 2), load_after=round(os.getloadavg()[0], 2), wall_s=round(time.time() - t, 1),
                                 started=time.strftime('%H:%M:%S', time.gmtime(t))))
                print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rows[-1].items()}, flush=True)
                pd.DataFrame(rows).to_csv(a.out, index=False)

if __name__ == '__main__': main()
