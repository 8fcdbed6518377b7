"""DNII vs its `to_faiss_shards` export (faiss IndexShards of IndexIVFFlat), same data, same process, one CSV (issue 18, "beyond one host").

python reports/scripts/dnii_shards_check.py [--n 50000] [--d 256] [--shards 1,2,4] [--nprobe 16,32] [--threads 2] [--out reports/results/dnii_shards_cpu.csv]
The hard set (`hard_clusters`, seeded n + d as `icmos bench dnii --datasets hard` does) is inserted in 10 batches, 10% of the
ids are then deleted (tombstones stay in the lists); DNII and each export are searched with the same queries, nprobe and
recall reference (exact inner-product top 10 of the live rows). The `params` column says `shards=` and, for the exports,
`same_ids=` (fraction of result ids equal to DNII's)."""
import argparse, time
import numpy as np, torch
from icmos.dnii import DNII, COLUMNS, hard_clusters, recall_at, _Rows, _timed_queries, _ints

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--n', type=int, default=50000); p.add_argument('--d', type=int, default=256); p.add_argument('--queries', type=int, default=1000)
    p.add_argument('--latency-queries', type=int, default=200); p.add_argument('--list-size', type=int, default=256)
    p.add_argument('--shards', default='1,2,4'); p.add_argument('--nprobe', default='16,32'); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default='reports/results/dnii_shards_cpu.csv')
    a = p.parse_args(); import faiss
    torch.set_num_threads(a.threads); faiss.omp_set_num_threads(a.threads); dev = f'cpu-{a.threads}t'
    X, Q = hard_clusters(a.n, a.d, a.queries, seed=a.n + a.d); ids = np.arange(a.n, dtype=np.int64)
    ix = DNII(d=a.d, list_size=a.list_size); t = time.perf_counter()
    for s in np.array_split(ids, 10): ix.add(s, X[s])
    ins = a.n / (time.perf_counter() - t)
    gone = np.random.default_rng(1).choice(a.n, a.n // 10, replace=False); t = time.perf_counter(); ix.delete(gone); dels = len(gone) / (time.perf_counter() - t)
    live = np.setdiff1d(ids, gone); f = faiss.IndexFlatIP(a.d); f.add(X[live]); gt = live[f.search(Q, 10)[1]]
    emit = _Rows(a.out, False); base = dict(dataset='hard-2048c', n=a.n, d=a.d, workload='inserts+deletes', device=dev)
    nl = ix.nlist(); exports = {}
    for k in _ints(a.shards): t = time.perf_counter(); exports[k] = ix.to_faiss_shards(k); print(f'export to {k} shards: {time.perf_counter() - t:.2f} s', flush=True)
    for p_ in _ints(a.nprobe):
        I0, qps, p50, p99 = _timed_queries(lambda q: ix.search(q, 10, nprobe=p_), Q, a.latency_queries)
        emit(index='dnii', params=f'list_size={a.list_size};nprobe={p_};nlist={nl};shards=none;splits={ix.stats["splits"]}', recall_at_1=recall_at(I0, gt, 1),
             recall_at_10=recall_at(I0, gt, 10), p50_ms=p50, p99_ms=p99, qps=qps, inserts_per_s=ins, deletes_per_s=dels, **base)
        for k, sh in exports.items():
            prm = faiss.SearchParametersIVF(nprobe=p_)
            I, qps, p50, p99 = _timed_queries(lambda q: sh.search(q, 10, params=prm), Q, a.latency_queries)
            emit(index='faiss-shards', params=f'list_size={a.list_size};nprobe={p_};nlist={nl};shards={k};same_ids={(I == I0).mean():.6g}',
                 recall_at_1=recall_at(I, gt, 1), recall_at_10=recall_at(I, gt, 10), p50_ms=p50, p99_ms=p99, qps=qps, **base)

if __name__ == '__main__': main()
