"""Issue 18, session 18: where a single DNII query goes at 1M on this machine: DNII.search beside faiss IndexIVFFlat over the same lists
(`to_faiss_shards(1)`), faiss `knn` over the centroids alone, and the quantizer search; medians in microseconds of 300 single queries
(drifting clusters, d 256, 10 batches). Printed, not a CSV.
    python reports/scripts/dnii_floor_profile.py N THREADS
"""
import time, sys, numpy as np, torch, faiss
import icmos.dnii as D
n=int(sys.argv[1]); th=int(sys.argv[2]); torch.set_num_threads(th); faiss.omp_set_num_threads(th)
t=time.time(); X,Q=D.drifting_clusters(n,256,1000,drift=1,seed=n+256)[:2]; print('data',time.time()-t, X.shape, flush=True)
x=D.DNII(d=256,list_size=256); t=time.time()
ids=np.arange(n)
for s in np.array_split(ids,10): x.add(s,X[s])
print('build',time.time()-t, flush=True)
sh=x.to_faiss_shards(1); s0=faiss.downcast_index(sh.at(0))
C=x._parts[0].cent.numpy() if hasattr(x,'_parts') else None
print('nlist', None if C is None else C.shape)
def tm(fn, reps=300):
    L=[]
    for i in range(reps):
        q=Q[i%len(Q):i%len(Q)+1]; t=time.perf_counter(); fn(q); L.append(1e6*(time.perf_counter()-t))
    return np.median(L)
for P in (2,4,8):
    r={'dnii.search':tm(lambda q:x.search(q,10,nprobe=P)), 'faiss IVFFlat same lists':tm(lambda q:s0.search(q,10,params=faiss.SearchParametersIVF(nprobe=P))),
       'centroid knn only':tm(lambda q:faiss.knn(q,C,P)), 'quantizer.search':tm(lambda q:s0.quantizer.search(q,P))}
    sizes=np.array([s0.invlists.list_size(i) for i in range(s0.nlist)])
    print(P, {k:round(v,1) for k,v in r.items()}, 'list sizes mean/max', sizes.mean().round(), sizes.max(), flush=True)
