"DNII against a brute-force reference on random insert/delete/update/query sequences (hypothesis), bad input, crash-safe saves."
import os, signal, subprocess, sys, textwrap, time
import numpy as np, pytest, torch
from hypothesis import HealthCheck, given, settings, strategies as st
from icmos.core import ICMOSError
from icmos.dnii import DNII, DNIIConfig

D = 6

class Ref:
    "Brute force: a dict id -> (namespace, vector)."
    def __init__(self): self.v = {}
    def add(self, ids, X, ns): self.v.update({i: (ns, x) for i, x in zip(ids, X)})
    def delete(self, ids): [self.v.pop(i) for i in ids]
    def search(self, Q, k, ns):
        ids = np.array([i for i, (n, _) in self.v.items() if n == ns], np.int64)
        if not len(ids): return np.full((len(Q), k), -np.inf), np.full((len(Q), k), -1)
        X = np.stack([self.v[i][1] for i in ids]); S = Q @ X.T
        o = np.argsort(-S, axis=1, kind='stable')[:, :k]; s = np.take_along_axis(S, o, 1); r = ids[o]
        pad = k - s.shape[1]
        return np.pad(s, ((0, 0), (0, pad)), constant_values=-np.inf), np.pad(r, ((0, 0), (0, pad)), constant_values=-1)

op = st.one_of(
    st.tuples(st.just('add'), st.integers(1, 40), st.sampled_from(['a', 'b'])),
    st.tuples(st.just('delete'), st.floats(0.05, 0.9), st.just('')),
    st.tuples(st.just('update'), st.floats(0.05, 0.5), st.just('')),
    st.tuples(st.just('query'), st.integers(1, 12), st.sampled_from(['a', 'b', 'zz'])))

def _apply(ix, ref, rng, kind, x, ns, nxt, search_kw) -> int:
    "One generated operation on the index and the brute-force reference (a query checks the scores: exact with every list probed); returns the next id."
    if kind == 'add':
        X = rng.standard_normal((x, D)).astype(np.float32); ids = list(range(nxt, nxt + x))
        ix.add(ids, X, namespace=ns); ref.add(ids, X, ns); return nxt + x
    if kind in ('delete', 'update') and ref.v:
        have = np.array(sorted(ref.v)); pick = rng.choice(have, size=max(1, int(x * len(have))), replace=False).tolist()
        if kind == 'delete': ix.delete(pick); ref.delete(pick)
        else:
            X = rng.standard_normal((len(pick), D)).astype(np.float32); ix.update(pick, X)
            for i, v in zip(pick, X): ref.v[i] = (ref.v[i][0], v)
    elif kind == 'query':
        Q = rng.standard_normal((x, D)).astype(np.float32); k = int(rng.integers(1, 8))
        s, i = ix.search(Q, k, namespace=ns, nprobe=10**6, **search_kw(k)); rs, ri = ref.search(Q, k, ns)
        np.testing.assert_allclose(s, rs, atol=1e-4)                           # exact scores (ids may differ only on ties)
        assert set(i[i >= 0].tolist()) <= {j for j, (n, _) in ref.v.items() if n == ns}
    return nxt

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=25), seed=st.integers(0, 2**16), list_size=st.sampled_from([4, 8, 32]),
       lire=st.sampled_from(['full', 'new']), split_batch=st.booleans())
def test_matches_brute_force(ops, seed, list_size, lire, split_batch):
    "With nprobe covering every list the index is exact: same scores as brute force, never a deleted or foreign id (either LIRE rule, batched splits or not)."
    rng = np.random.default_rng(seed); ref = Ref(); nxt = 0
    ix = DNII(d=D, list_size=list_size, reassign_neighbors=3, seed=seed, lire=lire, split_batch=split_batch)
    for kind, x, ns in ops:
        nxt = _apply(ix, ref, rng, kind, x, ns, nxt, lambda k: {})
        assert len(ix) == len(ref.v)
    total = sum(ix._lists[l].live for p in ix._parts.values() for l in p.lids)
    assert total == len(ref.v)                                                 # every live entry in exactly one list
    for p in ix._parts.values():                                               # and the row -> list map agrees with the lists
        for l in p.lids:
            L = ix._lists[l]; r = L.rows[:L.n].numpy(); r = r[ix._alive[r]]
            assert (ix._list[r] == l).all()
    lim = ix.cfg.split_factor * ix.cfg.list_size
    assert all(ix._lists[l].live <= lim for p in ix._parts.values() for l in p.lids)

pq_op = st.one_of(
    st.tuples(st.just('add'), st.integers(1, 300), st.sampled_from(['a', 'b'])),
    st.tuples(st.just('delete'), st.floats(0.05, 0.9), st.just('')),
    st.tuples(st.just('update'), st.floats(0.05, 0.5), st.just('')),
    st.tuples(st.just('query'), st.integers(1, 12), st.sampled_from(['a', 'b', 'zz'])))

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.integers(256, 400), ops=st.lists(pq_op, min_size=1, max_size=20), seed=st.integers(0, 2**16), list_size=st.sampled_from([4, 8, 32]))
def test_pq4fs_matches_brute_force(first, ops, seed, list_size):
    "codes='pq4fs' on random insert/delete/update/query sequences (namespaces, splits, merges), the codebook trained by the first add (>= pq_train rows) so every example runs the code path: a re-rank as deep as the index is exact, deleted ids never come back, and the codes of every list hold exactly its live rows."
    rng = np.random.default_rng(seed); ref = Ref(); nxt = 0
    ix = DNII(d=D, list_size=list_size, reassign_neighbors=3, seed=seed, codes='pq4fs', pq_train=256)
    def deep(k):  # the codes path (trained by the first add), re-ranked at full depth: every entry a candidate
        assert ix._fs.pq is not None or len(ix) == 0
        return {'rerank': -(-max(len(ix), 1) // k)}
    for kind, x, ns in [('add', first, 'a')] + ops + [('query', 4, 'a')]:   # a closing query: every example searches the codes
        nxt = _apply(ix, ref, rng, kind, x, ns, nxt, deep)
    fs = ix._fs; f = fs.faiss; il = fs.pq.invlists
    for lid, L in enumerate(ix._lists):                                        # slot by slot, what search scans: each list's packed codes
        n = il.list_size(lid); ids = f.rev_swig_ptr(il.get_ids(lid), n).copy() if n else np.empty(0, np.int64)
        if L is None: assert n == 0; continue
        r = L.rnp(); assert np.array_equal(np.sort(ids), np.sort(r[ix._alive[r]]))   # hold exactly its live rows
        if not n: continue
        pk = f.downcast_InvertedLists(il).packer; blk = f.rev_swig_ptr(il.get_codes(lid), -(-n // pk.nvec) * pk.block_size).copy()
        got = np.zeros((n, fs.pq.code_size), np.uint8)
        for j in range(n): pk.unpack_1_c(f.swig_ptr(blk), j, f.swig_ptr(got[j]))
        slot = {int(x): i for i, x in enumerate(r)}
        assert np.array_equal(got, fs.pq.pq.compute_codes(np.ascontiguousarray(L.vnp()[[slot[int(x)] for x in ids]])))   # each its own row's code

@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_save_load_roundtrip(seed, tmp_path_factory):
    rng = np.random.default_rng(seed); ix = DNII(d=D, list_size=8)
    n = int(rng.integers(1, 120)); ix.add(np.arange(n), rng.standard_normal((n, D)), namespace='a')
    ix.delete(rng.choice(n, size=n // 3, replace=False))
    p = tmp_path_factory.mktemp('s'); ix.save(p); back = DNII.load(p)
    Q = rng.standard_normal((5, D)); a, b = ix.search(Q, 4, 'a', nprobe=999), back.search(Q, 4, 'a', nprobe=999)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-5); assert (a[1] == b[1]).mean() > 0.9  # same entries; ties may swap

def _snapshot(ix):
    return len(ix), ix.search(np.ones((2, D)), 5, nprobe=999)[1].tolist(), sorted(ix._id2row)

@pytest.mark.parametrize('call, msg', [
    (lambda ix: ix.add([100], np.ones((1, D + 1))), 'dimension'),
    (lambda ix: ix.add([100, 101], np.array([[1.0] * D, [np.nan] * D])), 'row 1 is not finite'),
    (lambda ix: ix.add([100], np.array([[np.inf] * D])), 'not finite'),
    (lambda ix: ix.add([3], np.ones((1, D))), 'already in the index'),
    (lambda ix: ix.add([100, 100], np.ones((2, D))), 'appears 2 times'),
    (lambda ix: ix.add(['x'], np.ones((1, D))), 'integers'),
    (lambda ix: ix.add([100], [['a'] * D]), 'numeric'),
    (lambda ix: ix.add([100], np.ones((1, D)), namespace=3), 'namespace'),
    (lambda ix: ix.add([100], np.ones((1, D)), block=[1, 2]), 'block must be'),
    (lambda ix: ix.delete([3, 4242]), 'cannot delete id 4242'),
    (lambda ix: ix.delete([3, 3]), 'appears 2 times'),
    (lambda ix: ix.update([4242], np.ones((1, D))), 'cannot update id 4242'),
    (lambda ix: ix.update([3], np.full((1, D), np.nan)), 'not finite'),
    (lambda ix: ix.search(np.ones((1, D)), 0), 'k must be a positive int'),
    (lambda ix: ix.search(np.ones((1, D)), -1), 'k must be a positive int'),
    (lambda ix: ix.search(np.ones((1, D)), 2.5), 'k must be a positive int'),
    (lambda ix: ix.search(np.ones((1, D + 2)), 3), 'dimension'),
    (lambda ix: ix.search(np.ones((1, D)), 3, max_codes=-1), 'max_codes'),
    (lambda ix: ix.to_faiss_shards(0), 'n_shards must be an int >= 1'),
    (lambda ix: ix.to_faiss_shards(True), 'n_shards must be an int >= 1'),
    (lambda ix: ix.to_faiss_shards(2, nprobe=-1), 'nprobe must be a positive int'),
    (lambda ix: ix.to_faiss_shards(2, namespace='nobody'), "namespace 'nobody' is not in the index"),
    (lambda ix: ix.to_faiss_shards(2, namespace=''), 'namespace must be a non-empty string'),
])
def test_bad_input_leaves_index_unchanged(call, msg):
    ix = DNII(d=D, list_size=4); ix.add(np.arange(50), np.random.default_rng(0).standard_normal((50, D)))
    before = _snapshot(ix)
    with pytest.raises(ICMOSError, match=msg): call(ix)
    assert _snapshot(ix) == before

def test_corrupt_files(tmp_path):
    ix = DNII(d=D); ix.add(np.arange(10), np.ones((10, D))); ix.save(tmp_path)
    st_file = next(tmp_path.glob('state-*.safetensors'))
    st_file.write_bytes(st_file.read_bytes()[:100])
    with pytest.raises(ICMOSError, match='checksum mismatch'): DNII.load(tmp_path)
    (tmp_path / 'manifest.json').write_text('[]')
    with pytest.raises(ICMOSError, match='corrupt DNII manifest'): DNII.load(tmp_path)

def test_sigkill_mid_save_keeps_last_complete_state(tmp_path):
    "A child process saves in a loop, each save adding entries; SIGKILL it at random moments; every load is a complete state."
    code = textwrap.dedent(f'''
        import numpy as np, sys
        from icmos.dnii import DNII
        ix = DNII(d={D}, list_size=16); g = 0
        while True:
            ix.add(np.arange(g * 50, g * 50 + 50), np.random.default_rng(g).standard_normal((50, {D})).astype(np.float32))
            ix.save(sys.argv[1]); g += 1; print(g, flush=True)
    ''')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd()] + sys.path))
    for delay in (0.4, 0.9, 1.5):
        p = subprocess.Popen([sys.executable, '-c', code, str(tmp_path)], stdout=subprocess.PIPE, env=env)
        assert p.stdout.readline()                                            # at least one save completed
        time.sleep(delay); p.send_signal(signal.SIGKILL); p.wait()
        ix = DNII.load(tmp_path); n = len(ix)
        assert n % 50 == 0 and n > 0 and sorted(ix._id2row) == list(range(n))  # whole batches only
        for f in tmp_path.iterdir(): f.unlink()

@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a GPU')
def test_cuda_matches_cpu():
    rng = np.random.default_rng(0); X = rng.standard_normal((2000, 16)).astype(np.float32); Q = rng.standard_normal((20, 16)).astype(np.float32)
    a, b = DNII(d=16, list_size=32), DNII(d=16, list_size=32, device='cuda')
    for ix in (a, b): ix.add(np.arange(2000), X); ix.delete(np.arange(0, 2000, 5))
    np.testing.assert_allclose(a.search(Q, 10, nprobe=999)[0], b.search(Q, 10, nprobe=999)[0], atol=1e-3)

@pytest.mark.parametrize('dead_frac', [0.0, 0.1])
def test_per_query_path_equals_grouped_path(dead_frac):
    "A batch of at most _PER_QUERY queries is scanned query by query; it must give what the grouped path gives, never a deleted id."
    from icmos.dnii import _PER_QUERY
    rng = np.random.default_rng(1); X = rng.standard_normal((4000, D)).astype(np.float32); Q = rng.standard_normal((40, D)).astype(np.float32)
    ix = DNII(d=D, list_size=32); ix.add(np.arange(4000), X)
    gone = rng.choice(4000, size=int(dead_frac * 4000), replace=False); ix.delete(gone)
    if dead_frac: assert sum(ix._lists[l].dead for l in ix._parts[0].lids) > 0        # tombstones left to mask
    for nprobe in (1, 5, 999):
        Dg, Ig = ix.search(Q, 7, nprobe=nprobe)                                          # 40 > _PER_QUERY: grouped
        parts = [ix.search(Q[s:s + _PER_QUERY], 7, nprobe=nprobe) for s in range(0, 40, _PER_QUERY)]
        Ds, Is = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        np.testing.assert_allclose(Ds, Dg, atol=1e-5); assert (Is == Ig).mean() > 0.99
        assert not np.isin(Is, gone).any()

def test_split_scan_equals_single_scan(monkeypatch):
    "A query's lists scored by several workers into parts of one buffer give exactly what one worker gives."
    import icmos.dnii as m
    rng = np.random.default_rng(2); X = rng.standard_normal((4000, D)).astype(np.float32); Q = rng.standard_normal((6, D)).astype(np.float32)
    ix = DNII(d=D, list_size=32); ix.add(np.arange(4000), X); ix.delete(np.arange(0, 4000, 9))
    monkeypatch.setattr(m, '_SPLIT_SCAN', 10**9); one = [ix.search(q[None], 7, nprobe=40) for q in Q]
    monkeypatch.setattr(m, '_SPLIT_SCAN', 1); old = torch.get_num_threads(); torch.set_num_threads(3)
    try: many = [ix.search(q[None], 7, nprobe=40) for q in Q]
    finally: torch.set_num_threads(old)
    for (d1, i1), (d2, i2) in zip(one, many): np.testing.assert_array_equal(d1, d2); np.testing.assert_array_equal(i1, i2)

def _layout(ix):
    "Every list's slots (rows, tombstones included, in storage order) and the centroids: the index's whole state for a comparison."
    p = ix._parts[0]; return [ix._lists[l].rows[:ix._lists[l].n].numpy().copy() for l in p.lids], p.cent.numpy().copy()

def _check_invariants(ix):
    "Each live entry in exactly one list, the row -> list map agrees, each list's tombstone count is what it holds, none past the bound."
    lim, seen = ix.cfg.split_factor * ix.cfg.list_size, []
    for l in ix._parts[0].lids:
        L = ix._lists[l]; r = L.rows[:L.n].numpy(); a = ix._alive[r]
        assert L.dead == int((~a).sum()), (l, L.dead, int((~a).sum()))
        assert (ix._list[r[a]] == l).all() and L.live <= lim
        seen.append(r[a])
    seen = np.concatenate(seen); assert len(seen) == len(ix) == len(np.unique(seen))
    assert sorted(ix._ext[seen].tolist()) == sorted(ix._id2row)
    L = ix._lists[ix._parts[0].lids[0]]
    if ix._fs is not None: np.testing.assert_array_equal(L.vnp(), L.vecs.numpy())      # numpy and torch views of one faiss list

@pytest.mark.parametrize('scan', ['faiss', 'torch'])
def test_split_pass_spread_over_threads(scan, monkeypatch):
    """Issue 18: the split pass's LIRE scoring and the routing knn spread over the caller's threads (`_spread`), the movers copied
    straight into destination order and every list's holes found at once: after every insert and delete of a stream the index
    holds exactly (same slots, same centroids, same stats) what one thread gives, and its invariants hold."""
    import icmos.dnii as m
    if scan == 'faiss' and not DNIIConfig(d=4).use_faiss: pytest.skip('needs faiss')
    g = np.random.default_rng(3); cen = g.standard_normal((30, 16)).astype(np.float32)
    X = (cen[g.integers(0, 30, 8000)] + 0.5 * g.standard_normal((8000, 16))).astype(np.float32)
    monkeypatch.setattr(m, '_PAR_WORK', 1)                                             # spread even these small passes
    lire, calls = m._lire_assign, []
    def spy(Vs, A, C):                         # every LIRE pass against its rule: each list's entries to the nearest of its candidates
        t = lire(Vs, A, C); calls.append(len(Vs)); s = 0
        for i, V in enumerate(Vs):
            cand = np.flatnonzero(A[i]); V = torch.as_tensor(V)
            if len(V): np.testing.assert_array_equal(t[s:s + len(V)], cand[m._assign(V, C[torch.from_numpy(cand)]).numpy()])
            s += len(V)
        return t
    monkeypatch.setattr(m, '_lire_assign', spy)
    ixs = {t: DNII(d=16, list_size=24, scan=scan) for t in (1, 3)}; alive = np.zeros(8000, bool); old = torch.get_num_threads()
    f = m._faiss(); knobs = lambda: (f.cvar.distance_compute_blas_threshold, f.cvar.distance_compute_blas_query_bs, f.cvar.distance_compute_blas_database_bs) if f else ()
    qbs = f.cvar.distance_compute_blas_query_bs if f else None
    if f: f.cvar.distance_compute_blas_query_bs = 64                              # routing in 64-row blocks, spread too
    knobs0 = knobs()
    try:
        for s in range(8):
            i = np.arange(1000 * s, 1000 * (s + 1)); dl = None
            for t, ix in ixs.items(): torch.set_num_threads(t); ix.add(i, X[i]); assert knobs() == knobs0   # faiss's GEMM settings restored
            alive[i] = True; dl = g.choice(np.flatnonzero(alive), 150, replace=False); alive[dl] = False
            a = _layout(ixs[1]); _check_invariants(ixs[1])
            b = _layout(ixs[3]); _check_invariants(ixs[3])
            assert len(a[0]) == len(b[0]) and all((x == y).all() for x, y in zip(a[0], b[0])); np.testing.assert_array_equal(a[1], b[1])
            for t, ix in ixs.items(): torch.set_num_threads(t); ix.delete(dl)
            for ix in ixs.values(): _check_invariants(ix)
    finally:
        torch.set_num_threads(old)
        if f: f.cvar.distance_compute_blas_query_bs = qbs
    assert ixs[1].stats == ixs[3].stats and ixs[1].stats['splits'] > 50 and ixs[1].stats['reassigned'] > 0
    assert len(calls) > 10 and max(calls) > 10
    assert torch.get_num_threads() == old and m._MAINT == [1]                            # the maintenance thread count restored

@pytest.fixture(scope='module')
def sharded_case():
    "A DNII on clustered vectors after batched inserts (splits), deletes and updates (tombstones in lists), a second namespace beside it."
    from icmos.dnii import drifting_clusters
    X, Q = drifting_clusters(3000, 48, 40, n_clusters=10, seed=5); ids = 5 * np.arange(3000) + 2
    ix = DNII(d=48, list_size=48, nprobe=6)
    for s in range(0, 3000, 750): ix.add(ids[s:s + 750], X[s:s + 750])
    gone = ids[::6]; ix.delete(gone); ix.update(ids[1:300:10], X[2000:2030] + 0.01)   # updates leave tombstones too (no exact duplicates: ties may order differently)
    ix.add(10**7 + np.arange(30), X[:30], namespace='other')
    assert ix.stats['splits'] > 0 and ix._ndead > 0
    return ix, Q, np.setdiff1d(ids, gone)

def _held(sh):
    faiss = pytest.importorskip('faiss'); out = []
    for i in range(sh.count()):
        il = faiss.extract_index_ivf(sh.at(i)).invlists
        out += [faiss.rev_swig_ptr(il.get_ids(l), il.list_size(l)).copy() for l in range(il.nlist) if il.list_size(l)]
    return np.sort(np.concatenate(out))

@pytest.mark.parametrize('n_shards', [1, 2, 3])
def test_faiss_shards_equal_search(sharded_case, n_shards):
    "Issue 18: the namespace exported to faiss IndexShards of IndexIVFFlat holds exactly its live entries and returns DNII's ids (exactly) and scores at every nprobe."
    faiss = pytest.importorskip('faiss'); ix, Q, live = sharded_case
    sh = ix.to_faiss_shards(n_shards)
    assert sh.count() == n_shards and sh.ntotal == len(live)
    np.testing.assert_array_equal(_held(sh), live)                                       # live entries of 'default' only, each once
    for p in (1, 3, 12, ix.nlist() + 5):
        D, I = ix.search(Q, 10, nprobe=p); Ds, Is = sh.search(Q, 10, params=faiss.SearchParametersIVF(nprobe=p))
        np.testing.assert_array_equal(Is, I); np.testing.assert_allclose(Ds, D, atol=1e-5)
    np.testing.assert_array_equal(sh.search(Q, 10)[1], ix.search(Q, 10)[1])              # default nprobe travels along
    np.testing.assert_array_equal(_held(ix.to_faiss_shards(n_shards, namespace='other')), 10**7 + np.arange(30))

def test_faiss_shards_empty_namespace_and_no_faiss(monkeypatch):
    import icmos.dnii as m
    ix = DNII(d=D); ix.add([1, 2], np.eye(D, dtype=np.float32)[:2], namespace='gone'); ix.delete([1, 2])
    with pytest.raises(ICMOSError, match='holds no live entries'): ix.to_faiss_shards(1, namespace='gone')
    monkeypatch.setattr(m, '_FAISS', [None])
    with pytest.raises(ICMOSError, match='needs faiss'): ix.to_faiss_shards(1, namespace='gone')

def test_tombstones_nan_no_selector(sharded_case):
    "Faiss lists (issue 18, session 17): a deleted or updated entry's stored vector is NaN, live ones untouched; search (no selector) equals the live-only export at every nprobe."
    faiss = pytest.importorskip('faiss'); ix, Q, live = sharded_case
    if ix._fs is None: pytest.skip('lists are not in faiss storage')
    lids = ix._parts[0].lids; r = np.concatenate([ix._lists[l].rnp() for l in lids]); V = np.concatenate([ix._lists[l].vnp() for l in lids])
    dead = ~ix._alive[r]; assert dead.any() and np.isnan(V[dead]).all() and np.isfinite(V[~dead]).all()
    for p in (1, 3, 6, ix.nlist() + 2):
        sh = ix.to_faiss_shards(1); D0, I0 = ix.search(Q, 10, nprobe=p); D1, I1 = sh.search(Q, 10, params=faiss.SearchParametersIVF(nprobe=p))
        np.testing.assert_array_equal(I0, I1); np.testing.assert_allclose(D0, D1, atol=1e-5); assert np.isin(I0[I0 >= 0], live).all()

def test_equal_scores_lower_id_first():
    "Equal scores at the k-th place go to the lower id (a tie group within k + _TIES), whatever order faiss's scan leaves them in (ids given in a shuffled order, so rows and ids disagree)."
    g = np.random.default_rng(4); X = g.standard_normal((900, 16)).astype(np.float32); X[200:212] = X[3]   # ids 3, 200..211: one vector
    ix = DNII(d=16, list_size=64); perm = g.permutation(900); ix.add(perm, X[perm])
    gone = np.union1d(np.r_[200:212:3], np.r_[11:900:13]); ix.delete(gone); keep = np.setdiff1d(np.arange(900), gone)
    for k in (1, 5, 10, 20):
        S = X[keep] @ X[3]; want = keep[np.lexsort((keep, -S))][:k]
        for p in (ix.nlist(), 4):
            I = ix.search(X[3], k, nprobe=p)[1][0]
            if p == ix.nlist(): np.testing.assert_array_equal(I, want)
            else: assert (np.diff(I[np.isin(I, np.r_[3, 200:212])]) > 0).all()         # the tied ids found: in id order
    Q = g.standard_normal((30, 16)).astype(np.float32); S = Q @ X[keep].T           # no ties: the exact top 10 at a full probe
    D, I = ix.search(Q, 10, nprobe=ix.nlist()); np.testing.assert_array_equal(I, keep[np.argsort(-S, 1)[:, :10]])

def test_lire_pass_never_scores_tombstones_twice(monkeypatch):
    "The LIRE pass scores tombstones (NaN vectors in faiss lists) with the rest of their list and leaves them: none reaches `_assign`'s fallback."
    pytest.importorskip('faiss'); import icmos.dnii as m
    seen, orig = [], m._assign
    def spy(X, C, *a, **kw): seen.append(bool(torch.isnan(X).any())); return orig(X, C, *a, **kw)
    monkeypatch.setattr(m, '_assign', spy)
    g = np.random.default_rng(6); X = g.standard_normal((6000, 16)).astype(np.float32); ix = DNII(d=16, list_size=32); alive = np.zeros(6000, bool)
    if ix._fs is None: pytest.skip('lists are not in faiss storage')
    for s in range(0, 6000, 500):
        i = np.arange(s, s + 500); ix.add(i, X[i]); alive[i] = True
        dl = g.choice(np.flatnonzero(alive), 50, replace=False); ix.delete(dl); alive[dl] = False
    assert ix.stats['splits'] > 0 and ix._ndead > 0 and seen and not any(seen)
    kp = np.flatnonzero(alive); Q = X[:20]; S = Q @ X[kp].T
    np.testing.assert_allclose(ix.search(Q, 10, nprobe=ix.nlist())[0], -np.sort(-S, 1)[:, :10], atol=1e-4)

def test_lid_of_probed_lookup_matches_whole_list(monkeypatch):
    "`_lid_of` (probed entries only, when fewer than the lists) gives `np.asarray(lids)[P]` on both of its branches, and search returns the same ids either way."
    from icmos import dnii as D
    rng = np.random.default_rng(0); lids = rng.permutation(1000).tolist()
    for shape in ((1, 4), (3, 16), (40, 64)):  # 4 and 48 entries: one by one; 2,560: the whole list
        P = rng.integers(0, len(lids), shape)
        np.testing.assert_array_equal(D._lid_of(lids, P), np.asarray(lids, np.int64)[P])
    pytest.importorskip('faiss')
    X = torch.randn(3000, 32); X /= X.norm(dim=1, keepdim=True); ix = DNII(d=32, list_size=64); ix.add(np.arange(3000), X)
    got = ix.search(X[:5], 10, nprobe=4)
    monkeypatch.setattr(D, '_lid_of', lambda l, P: np.asarray(l, np.int64)[P]); want = ix.search(X[:5], 10, nprobe=4)
    np.testing.assert_array_equal(got[1], want[1]); np.testing.assert_allclose(got[0], want[0])


@pytest.mark.parametrize('value, msg', [
    ('x', "expected comma-separated ints, got 'x'"),
    ('2,1.5', "expected comma-separated ints, got '2,1.5'"),
    ('0', "expected positive ints, got '0'"),
    ('-1', "expected positive ints, got '-1'"),
    ('4,0', "expected positive ints, got '4,0'"),
    (',', "expected positive ints, got ','"),
])
def test_bench_search_threads_bad_input(tmp_path, capsys, value, msg):
    "`icmos bench dnii --search-threads` with a non-integer, zero or negative count: one clear error line, exit 2, no CSV, threads untouched."
    from icmos.cli import main
    out = tmp_path / 'd.csv'; n0 = torch.get_num_threads()
    rc = main(['bench', 'dnii', '--n', '100', '--d', '8', '--datasets', 'hard', '--threads', '1',
               f'--search-threads={value}', '--out', str(out), '--clusters-out', ''])
    err = capsys.readouterr().err
    assert rc == 2 and err == f'icmos: error: {msg}\n', err
    assert not out.exists() and torch.get_num_threads() == n0


def test_bench_search_threads_rows_and_restore(tmp_path):
    "`--search-threads 2,1`: every setting is searched once per thread count (built once), labelled in `device`, and the threads are restored."
    pytest.importorskip('faiss')
    import argparse, faiss, pandas as pd
    from icmos.dnii import bench_args, bench_main
    p = argparse.ArgumentParser(); bench_args(p)
    out = tmp_path / 'd.csv'
    a = p.parse_args(['--n', '3000', '--d', '16', '--datasets', 'hard', '--workloads', 'static', '--indexes', 'flat,dnii',
                      '--queries', '20', '--latency-queries', '5', '--nprobe', '2,4', '--list-size', '128', '--threads', '2',
                      '--search-threads', '2,1', '--out', str(out), '--clusters-out', ''])
    n0, f0 = torch.get_num_threads(), faiss.omp_get_max_threads()
    try:
        assert bench_main(a) == 0
        assert torch.get_num_threads() == 2 and faiss.omp_get_max_threads() == 2  # as --threads left them
    finally: torch.set_num_threads(n0); faiss.omp_set_num_threads(f0)
    df = pd.read_csv(out)
    assert sorted(df.device.unique()) == ['cpu-2t-q1t', 'cpu-2t-q2t']
    assert df.groupby('index').size().to_dict() == {'faiss-flat': 2, 'dnii': 4}
    assert (df.groupby('index').inserts_per_s.nunique() == 1).all()  # each index built once
    d = df[df['index'] == 'dnii'].groupby('params').recall_at_10.nunique()
    assert (d == 1).all()  # the same index searched twice: the same answers

def _clustered(n, d, nq, seed=0):
    rng = np.random.default_rng(seed); C = rng.standard_normal((30, d)).astype(np.float32) * 2
    X = (C[rng.integers(0, 30, n)] + rng.standard_normal((n, d))).astype(np.float32)
    return X, (C[rng.integers(0, 30, nq)] + rng.standard_normal((nq, d))).astype(np.float32)

@pytest.mark.parametrize('codes', ['flat', 'pq4fs'])
def test_concurrent_searches_equal_single_threaded(codes):
    "Searches from several threads at once (faiss releases the GIL) give exactly the single-threaded results (session 21 review: a shared re-rank bitmap)."
    import threading
    X, Q = _clustered(6000, 32, 200); ix = DNII(d=32, list_size=64, codes=codes); ix.add(np.arange(len(X)), X)
    ref = [ix.search(q, 10, nprobe=8, rerank=5) for q in Q]; bad = []
    def work(j):
        for _ in range(3):
            for i in range(j, len(Q), 4):
                Dq, Iq = ix.search(Q[i], 10, nprobe=8, rerank=5)
                if not (np.array_equal(Iq, ref[i][1]) and np.array_equal(Dq, ref[i][0])): bad.append(i)
    ts = [threading.Thread(target=work, args=(j,)) for j in range(4)]; [t.start() for t in ts]; [t.join() for t in ts]
    assert not bad, f'{len(bad)} of {3 * len(Q)} concurrent searches differed from the single-threaded ones'

def test_pq4fs_save_load_same_results(tmp_path):
    "codes='pq4fs': the codebook is saved with the index, so a streamed index (trained on its first rows) searches identically after save -> load at the default rerank."
    X, Q = _clustered(5000, 32, 200)
    ix = DNII(d=32, list_size=64, codes='pq4fs')
    for s in range(0, 5000, 500): ix.add(np.arange(s, s + 500), X[s:s + 500])    # trained at 1,024 rows: a retrain on all 5,000 would differ
    ix.delete(np.arange(0, 5000, 7))
    D0, I0 = ix.search(Q, 10, nprobe=8); back = DNII.load(ix.save(tmp_path))
    D1, I1 = back.search(Q, 10, nprobe=8)
    np.testing.assert_array_equal(I0, I1); np.testing.assert_array_equal(D0, D1)
    small = DNII(d=32, list_size=64, codes='pq4fs'); small.add(np.arange(1200), X[:1200]); small.delete(np.arange(600))   # trained, then shrunk below pq_train
    D0, I0 = small.search(Q, 10, nprobe=4, rerank=2); back = DNII.load(small.save(tmp_path / 's'))
    assert back._fs.pq is not None; D1, I1 = back.search(Q, 10, nprobe=4, rerank=2)
    np.testing.assert_array_equal(I0, I1); np.testing.assert_array_equal(D0, D1)
