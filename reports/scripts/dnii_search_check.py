"""DNII.search before / after issue 18 session 17 (tombstones as NaN vectors, no faiss selector; no-tie fast path) beside faiss
HNSW32, on the hard set, one process, one CSV with dnii.csv's columns.

python reports/scripts/dnii_search_check.py --old DIR [--n 50000,200000] [--nprobe 8,16,32,64] [--ef 16,32,64,128] [--efc 40,200]
    [--rounds 3] [--latency-queries 200] [--threads 2] [--out reports/results/dnii_search_s17_cpu.csv]
DIR holds the previous code as package `icmos_old` (`git archive <rev> icmos | tar -x -C DIR && mv DIR/icmos DIR/icmos_old`).
Per n: the hard set (`hard_clusters`, seed n + d as `icmos bench dnii`) is streamed into old and new DNII in 10 batches, the two
builds interleaved `--rounds` times (inserts_per_s: median over rounds), then 10% of the ids are deleted (tombstones stay);
HNSW32 (inner product) is built on the live rows. Every setting's single-query latencies are taken in `--rounds` interleaved
rounds of `--latency-queries` queries (p50 / p99 over all of them); recall against the exact inner-product top 10 of the live
rows. `params` of the new rows says `same_ids=` (fraction of result ids equal to the old code's) and `max_abs_diff=`."""
import argparse, sys, time
import numpy as np, torch

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--old', required=True); p.add_argument('--n', default='50000,200000'); p.add_argument('--d', type=int, default=256)
    p.add_argument('--queries', type=int, default=1000); p.add_argument('--latency-queries', type=int, default=200)
    p.add_argument('--list-size', type=int, default=256); p.add_argument('--nprobe', default='8,16,32,64'); p.add_argument('--ef', default='16,32,64,128')
    p.add_argument('--efc', default='40,200'); p.add_argument('--rounds', type=int, default=3); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default='reports/results/dnii_search_s17_cpu.csv')
    a = p.parse_args(); sys.path.insert(0, a.old)
    import faiss, icmos_old.dnii as old, icmos.dnii as new
    from icmos.dnii import hard_clusters, recall_at, _Rows, _ints
    torch.set_num_threads(a.threads); faiss.omp_set_num_threads(a.threads); dev = f'cpu-{a.threads}t'
    emit = _Rows(a.out, False)
    for n in _ints(a.n):
        X, Q = hard_clusters(n, a.d, a.queries, seed=n + a.d); ids = np.arange(n, dtype=np.int64); gone = np.random.default_rng(1).choice(n, n // 10, replace=False)
        ins = {'old': [], 'new': []}; dels = {'old': [], 'new': []}; ix = {}
        for r in range(a.rounds):
            for code, M in (('old', old), ('new', new)):
                x = M.DNII(d=a.d, list_size=a.list_size); t = time.perf_counter()
                for s in np.array_split(ids, 10): x.add(s, X[s])
                ins[code].append(n / (time.perf_counter() - t))
                t = time.perf_counter(); x.delete(gone); dels[code].append(len(gone) / (time.perf_counter() - t)); ix[code] = x
        print(n, {c: [round(v) for v in ins[c]] for c in ins}, {c: [round(v) for v in dels[c]] for c in dels}, flush=True)
        live = np.setdiff1d(ids, gone); f = faiss.IndexFlatIP(a.d); f.add(X[live]); gt = live[f.search(Q, 10)[1]]
        hs = {}
        for efc in _ints(a.efc):
            h = faiss.IndexHNSWFlat(a.d, 32, faiss.METRIC_INNER_PRODUCT); h.hnsw.efConstruction = efc; t = time.perf_counter(); h.add(X[live])
            hs[efc] = (h, len(live) / (time.perf_counter() - t)); print(f'hnsw efc {efc}: {time.perf_counter() - t:.1f} s', flush=True)
        S = {}   # setting -> (search fn, row fields)
        nl = ix['new'].nlist()
        for p_ in _ints(a.nprobe):
            for code in ('old', 'new'):
                S[(code, p_)] = (lambda q, x=ix[code], p_=p_: x.search(q, 10, nprobe=p_),
                                 dict(index=f'dnii-s17-{code}', workload='inserts+deletes', inserts_per_s=float(np.median(ins[code])),
                                      deletes_per_s=float(np.median(dels[code])), bytes_per_vec=ix[code].nbytes() / len(ix[code]),
                                      params=f'list_size={a.list_size};nprobe={p_};nlist={nl};rounds={a.rounds}'))
        for efc, (h, hr) in hs.items():
            for ef in _ints(a.ef):
                def hsearch(q, h=h, ef=ef): D, I = h.search(q, 10, params=faiss.SearchParametersHNSW(efSearch=ef)); return D, np.where(I >= 0, live[np.maximum(I, 0)], -1)
                S[('hnsw', efc, ef)] = (hsearch, dict(index='faiss-hnsw', workload='static', inserts_per_s=hr, bytes_per_vec=len(faiss.serialize_index(h)) / len(live),
                                                      params=f'M=32;efConstruction={efc};efSearch={ef};rounds={a.rounds}'))
        lat = {s: [] for s in S}; res = {s: fn(Q) for s, (fn, _) in S.items()}
        for r in range(a.rounds):
            for s, (fn, _) in S.items():
                for q in Q[r * 7 % len(Q):][:a.latency_queries]:
                    t = time.perf_counter(); fn(q[None]); lat[s].append(1e3 * (time.perf_counter() - t))
        for s, (fn, row) in S.items():
            Ds, I = res[s]; row = dict(row)
            if s[0] == 'new':
                Do, Io = res[('old', s[1])]; fin = np.isfinite(Do)
                row['params'] += f';same_ids={(I == Io).mean():.6g};max_abs_diff={np.abs(np.where(fin, Do - Ds, 0)).max():.3g}'
            t = time.perf_counter(); fn(Q); qps = len(Q) / (time.perf_counter() - t)
            emit(dataset='hard-2048c', n=n, d=a.d, recall_at_1=recall_at(I, gt, 1), recall_at_10=recall_at(I, gt, 10),
                 p50_ms=float(np.percentile(lat[s], 50)), p99_ms=float(np.percentile(lat[s], 99)), qps=qps, device=dev, **row)
            print(row['index'], row['params'], f'r10={recall_at(I, gt, 10):.4f} p50={np.percentile(lat[s], 50):.3f}', flush=True)

if __name__ == '__main__': main()
