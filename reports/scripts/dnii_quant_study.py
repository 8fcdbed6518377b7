"""Issue 18's structural question on real sentence embeddings: can an inverted file whose lists hold *quantised* codes
(scanned with a much larger nprobe, then re-ranked exactly) reach recall@10 >= 0.95 at HNSW's latency, where DNII's flat lists
cannot? One process, the same MiniLM vectors (from `dnii_real_corpus.py`), the same queries and ground truth for every index:

  - faiss-hnsw   HNSW32, efConstruction 200 (the issue's strong peer), efSearch sweep
  - dnii         icmos.dnii.DNII (flat lists, its own routing), nprobe sweep
  - faiss-ivf    IVF-Flat with DNII's number of lists (faiss k-means), nprobe sweep
  - ivf-sq8      the same lists, 8-bit scalar-quantised codes (IndexIVFScalarQuantizer), nprobe sweep
  - ivf-pqfs     the same lists, 4-bit PQ fast-scan codes (IndexIVFPQFastScan, 2 dims per sub-quantiser) + exact re-rank of
                 the top k_factor x 10 (IndexRefineFlat), nprobe x k_factor sweep

Rows in dnii.csv's columns (`icmos.dnii.COLUMNS`), latency of single queries with `--threads` faiss/torch threads (p50 over
`--latency-queries`), recall over all queries. Only the structure is compared here, on a static set; DNII's dynamic part
(inserts, splits, deletes) is what a quantised store would have to keep.

  python reports/scripts/dnii_quant_study.py --vectors X.npy --queries 1000 --out reports/results/dnii_quant_s20_cpu.csv
"""
from __future__ import annotations
import argparse, sys, time
from pathlib import Path

import numpy as np
import torch

from icmos.dnii import COLUMNS, DNII, _timed_queries, recall_at


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--vectors', required=True, help='.npy (n, d) embeddings; the last --queries rows are the queries')
    p.add_argument('--queries', type=int, default=1000); p.add_argument('--latency-queries', type=int, default=300)
    p.add_argument('--n', type=int, default=0, help='base vectors to use (0: all but the queries)')
    p.add_argument('--threads', type=int, default=1, help='threads for search (builds use all cores)')
    p.add_argument('--indexes', default='hnsw,dnii,ivf,sq8,pqfs')
    p.add_argument('--ef', default='16,32,64,128,256'); p.add_argument('--nprobe', default='4,8,16,32,64,128')
    p.add_argument('--k-factor', default='4,10,20', help='ivf-pqfs: candidates re-ranked per result')
    p.add_argument('--out', required=True); p.add_argument('--dataset', default='minilm-pypi')
    a = p.parse_args(argv)
    import faiss
    ints = lambda s: [int(x) for x in s.split(',') if x]
    X = np.load(a.vectors).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True).clip(1e-12)
    Q, B = X[-a.queries:], X[:-a.queries]
    if a.n: B = B[:a.n]
    N, d = B.shape
    gt = faiss.IndexFlatIP(d); gt.add(B); gt = gt.search(Q, 10)[1]
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True); out.write_text(','.join(COLUMNS) + '\n')
    build_th, dev = faiss.omp_get_max_threads(), f'cpu-{faiss.omp_get_max_threads()}t-q{a.threads}t'
    log = lambda *x: print('dnii_quant_study:', *x, file=sys.stderr, flush=True)
    log(f'{N} x {d} base vectors, {len(Q)} queries, builds with {build_th} threads, search with {a.threads}')

    def emit(index, params, search, ins, nbytes):
        faiss.omp_set_num_threads(a.threads); torch.set_num_threads(a.threads)
        try: I, qps, p50, p99 = _timed_queries(search, Q, a.latency_queries)
        finally: faiss.omp_set_num_threads(build_th); torch.set_num_threads(build_th)
        r = dict(index=index, dataset=a.dataset, n=N, d=d, workload='static', params=params, recall_at_1=recall_at(I, gt, 1),
                 recall_at_10=recall_at(I, gt, 10), p50_ms=p50, p99_ms=p99, qps=qps, inserts_per_s=ins, bytes_per_vec=nbytes / N, device=dev)
        with out.open('a') as f: f.write(','.join(str(round(v, 6) if isinstance(v, float) else v) for v in (r.get(c, '') for c in COLUMNS)) + '\n')
        log(f"{index:10s} {params:40s} recall@10 {r['recall_at_10']:.3f}  p50 {p50:.3f} ms")

    idx = [s for s in a.indexes.split(',') if s]
    nlist = None
    if 'dnii' in idx or any(s in idx for s in ('ivf', 'sq8', 'pqfs')):
        ix = DNII(d=d); t = time.perf_counter()
        for s in range(0, N, 10_000): ix.add(np.arange(s, min(N, s + 10_000)), B[s:s + 10_000])
        ins, nlist = N / (time.perf_counter() - t), ix.nlist()
        log(f'DNII: {nlist} lists, {ins:.0f} inserts/s')
        if 'dnii' in idx:
            for pr in ints(a.nprobe): emit('dnii', f'list_size=256;nprobe={pr};nlist={nlist}', lambda q, pr=pr: ix.search(q, 10, nprobe=pr), ins, ix.nbytes())
        del ix
    if 'hnsw' in idx:
        t = time.perf_counter(); h = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT); h.hnsw.efConstruction = 200; h.add(B)
        ins = N / (time.perf_counter() - t)
        def hs(q, ef): h.hnsw.efSearch = ef; return h.search(q, 10)
        for ef in ints(a.ef): emit('faiss-hnsw', f'M=32;efC=200;efSearch={ef}', lambda q, ef=ef: hs(q, ef), ins, len(faiss.serialize_index(h)))
        del h
    train = B[np.random.default_rng(0).permutation(N)[:min(N, 64 * nlist)]] if nlist else None
    def ivf(kind):
        qz = faiss.IndexFlatIP(d)
        if kind == 'ivf': return faiss.IndexIVFFlat(qz, d, nlist, faiss.METRIC_INNER_PRODUCT), qz
        if kind == 'sq8': return faiss.IndexIVFScalarQuantizer(qz, d, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT), qz
        return faiss.IndexIVFPQFastScan(qz, d, nlist, d // 2, 4, faiss.METRIC_INNER_PRODUCT), qz
    for kind in ('ivf', 'sq8', 'pqfs'):
        if kind not in idx: continue
        t = time.perf_counter(); iv, qz = ivf(kind); iv.train(train)
        base = faiss.IndexRefineFlat(iv) if kind == 'pqfs' else iv
        base.add(B); ins = N / (time.perf_counter() - t); nb = len(faiss.serialize_index(base))
        name = {'ivf': 'faiss-ivf', 'sq8': 'ivf-sq8', 'pqfs': 'ivf-pqfs'}[kind]
        for pr in ints(a.nprobe):
            if kind != 'pqfs':
                def s(q, pr=pr): iv.nprobe = pr; return iv.search(q, 10)
                emit(name, f'nlist={nlist};nprobe={pr}', s, ins, nb)
            else:
                for kf in ints(a.k_factor):
                    def s(q, pr=pr, kf=kf): iv.nprobe = pr; base.k_factor = kf; return base.search(q, 10)
                    emit(name, f'nlist={nlist};nprobe={pr};m={d // 2}x4b;k_factor={kf}', s, ins, nb)
        del iv, base
    log(f'wrote {out}')
    return 0


if __name__ == '__main__': sys.exit(main())
