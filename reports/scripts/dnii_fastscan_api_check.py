"""What faiss's 4-bit PQ fast-scan lists (`IndexIVFPQFastScan`) allow, for issue 18's planned DNII store: adding codes to lists
chosen by the caller (`add_core`), through the quantizer (`add_with_ids`), removing ids, searching lists chosen by the caller
(`search_preassigned`), and the recall of the codes alone (no exact re-rank). 20,000 real MiniLM vectors + 200 queries.

  python reports/scripts/dnii_fastscan_api_check.py --vectors minilm101k.npy --out reports/results/dnii_fastscan_api_s20_cpu.txt
"""
import argparse, sys
import numpy as np

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--vectors', required=True); p.add_argument('--out', required=True)
    a = p.parse_args(argv)
    import faiss
    lines = [f'faiss {faiss.__version__}']
    X = np.load(a.vectors)[:20200].astype(np.float32); X /= np.linalg.norm(X, axis=1, keepdims=True)
    Q, B = X[-200:], X[:20000]; d, nl = B.shape[1], 64
    km = faiss.Kmeans(d, nl, niter=10, seed=0, spherical=True); km.train(B)
    qz = faiss.IndexFlatIP(d); qz.add(km.centroids)
    make = lambda: faiss.IndexIVFPQFastScan(qz, d, nl, d // 2, 4, faiss.METRIC_INNER_PRODUCT)
    iv = make(); iv.train(B[:5000])
    lists = qz.search(B, 1)[1][:, 0].astype(np.int64).copy(); sp = faiss.swig_ptr
    try: iv.add_core(len(B), sp(B), sp(np.arange(len(B), dtype=np.int64)), sp(lists)); lines.append(f'add_core with given lists: ok ({iv.ntotal})')
    except RuntimeError as e: lines.append(f'add_core with given lists: fails ({str(e).splitlines()[0][:120]})')
    iv = make(); iv.train(B[:5000]); iv.add_with_ids(B, np.arange(len(B), dtype=np.int64))
    lines.append(f'add_with_ids: ok ({iv.ntotal})')
    gt = faiss.IndexFlatIP(d); gt.add(B); G = gt.search(Q, 10)[1]
    rec = lambda I: float(np.mean([len(set(i) & set(g)) / 10 for i, g in zip(I, G)]))
    iv.nprobe = 16; lines.append(f'recall@10 of the codes alone (no re-rank), nprobe 16 of {nl}: {rec(iv.search(Q, 10)[1]):.4f}')
    flat = faiss.IndexIVFFlat(qz, d, nl, faiss.METRIC_INNER_PRODUCT); flat.add(B); flat.nprobe = 16
    lines.append(f'recall@10 of float32 lists, same lists and nprobe: {rec(flat.search(Q, 10)[1]):.4f}')
    n = iv.remove_ids(faiss.IDSelectorRange(0, 1000)); I = iv.search(Q, 10)[1]
    lines.append(f'remove_ids: removed {n}, ntotal {iv.ntotal}, removed ids returned afterwards: {int((I[I >= 0] < 1000).sum())}')
    D0, P = qz.search(Q, 16)
    try: lines.append(f'search_preassigned with given probes: ok {iv.search_preassigned(Q, 10, P, D0)[1].shape}')
    except Exception as e: lines.append(f'search_preassigned: fails ({type(e).__name__}: {str(e)[:120]})')
    open(a.out, 'w').write('\n'.join(lines) + '\n'); print('\n'.join(lines))
    return 0

if __name__ == '__main__': sys.exit(main())
