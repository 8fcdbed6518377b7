"""`Trimmer(graph=True)` (issue 16): the steady-state batched eviction as a CUDA graph replay keeps exactly the tokens the eager
eviction keeps, block after block and across a change of shape (GPU); without CUDA, or when capture fails, it evicts eagerly,
warned once (CPU and GPU). On the CPU a stand-in graph (replay = rerun in place) checks the buffers, keys and gather logic."""
import warnings
from unittest import mock
import pytest, torch
import icmos.trimmer as T
from icmos.core import prefill
from icmos.kv import Observer, PositionedCache, evict, tiny_llama, random_prompt
from test_kv_policies import random_scorer
from test_evict_sync import prefill_evicting_without_sync

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')

def blocks(m, pol, ids, chunk, batched=True):
    "Chunked prefill evicting after every chunk; every layer's (positions, keys, values, state) after each eviction, copied."
    out = []
    with Observer(m, pol) as ob:
        def on(cc):
            evict(cc, pol, ob, batched=batched)
            out.append([(l.pos.clone(), l.keys.clone(), l.values.clone(), {k: v.clone() for k, v in l.extra.items()}) for l in cc.layers])
        prefill(m, ids, cache=PositionedCache(m), chunk_size=chunk, on_chunk=on)
    return out

def same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        for (p1, k1, v1, e1), (p2, k2, v2, e2) in zip(x, y):
            assert torch.equal(p1, p2)  # the kept token indices (absolute positions), head by head
            assert k1.dtype == k2.dtype and torch.equal(k1, k2) and torch.equal(v1, v2)
            assert e1.keys() == e2.keys() and all(torch.equal(e1[k], e2[k]) for k in e1)

def compare(m, sc, ids, chunks=(8, 6, 8), **kw):
    "Eager vs graph, chunk sizes in turn (a new shape, then the first again: its graph reused); returns the graph policy."
    e, g = T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25, graph=False, **kw), T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25, graph=True, **kw)
    for chunk in chunks: same(blocks(m, e, ids, chunk), blocks(m, g, ids, chunk))
    return g

class Replay:
    "A CUDA graph's stand-in on the CPU: `replay` reruns the function on the buffers, writing its first outputs in place."
    def __init__(self, fn): self.fn, self.out = fn, fn()
    def replay(self):
        for o, x in zip(self.out, self.fn()): o.copy_(x)

@pytest.mark.parametrize('prior', [True, False])
def test_graph_path_logic_on_cpu(prior):
    m = tiny_llama(); sc = random_scorer(m)
    sc.cfg.prior = prior
    caps = []
    def fake(fn, dev): caps.append(1); r = Replay(fn); return r, r.out
    with mock.patch.object(T, '_graphs_run', lambda x: True), mock.patch.object(T, '_cuda_graph', fake), warnings.catch_warnings():
        warnings.simplefilter('error')
        compare(m, sc, random_prompt(84, seed=2).ids())
    # captured on a shape's second sighting: chunks of 8 (cache 24), of 6 (cache 22), the last block of 4 (cache 20) on the third run,
    # and the prompt's first eviction (cache 24, no layer moved yet: no rotation) on the third run
    assert len(caps) == 4 and len(sc._icmos_graphs) == 4

def test_graph_not_keyed_on_inference_weights():
    "A scorer made under inference mode has no version counters to key a graph on: the eviction stays eager, with no error."
    m = tiny_llama(); ids = random_prompt(84, seed=2).ids()
    with torch.inference_mode(): sc = random_scorer(m)
    caps = []
    def fake(fn, dev): caps.append(1); r = Replay(fn); return r, r.out
    with mock.patch.object(T, '_graphs_run', lambda x: True), mock.patch.object(T, '_cuda_graph', fake), torch.inference_mode():
        compare(m, sc, ids)
    assert not caps and '_icmos_graphs' not in sc.__dict__

def test_graph_falls_back_on_cpu():
    m = tiny_llama(); sc = random_scorer(m); ids = random_prompt(60, seed=3).ids()
    for batched in (True, False):
        g = T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25, graph=True)
        with pytest.warns(UserWarning, match='CUDA graphs need a CUDA device') as rec:
            out = blocks(m, g, ids, 8, batched)
        assert len([w for w in rec if 'graph=True' in str(w.message)]) == 1  # once, not per eviction
        same(out, blocks(m, T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25), ids, 8, batched))
    assert '_icmos_graphs' not in sc.__dict__

@cuda
@pytest.mark.parametrize('dtype,feat_dtype', [(torch.float32, 'float32'), (torch.bfloat16, 'float32'), (torch.bfloat16, 'model')])
def test_graph_keeps_what_eager_keeps(dtype, feat_dtype):
    m = tiny_llama().cuda().to(dtype); sc = random_scorer(m).cuda()
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no fallback
        compare(m, sc, random_prompt(84, seed=2).ids().cuda(), feat_dtype=feat_dtype)
    assert len(sc._icmos_graphs) == 4 and all("graph" in G for G in sc._icmos_graphs.values())  # 3 shapes, the first one also unmoved

@cuda
def test_graph_capture_failure_falls_back():
    m = tiny_llama().cuda(); sc = random_scorer(m).cuda()
    with mock.patch.object(torch.cuda, 'CUDAGraph', side_effect=RuntimeError('no graphs here')):
        with pytest.warns(UserWarning, match='capturing the eviction failed') as rec:
            compare(m, sc, random_prompt(84, seed=2).ids().cuda(), chunks=(8,))
    assert len([w for w in rec if 'graph=True' in str(w.message)]) == 1
    assert not sc.__dict__.get('_icmos_graphs')

@cuda
def test_graph_replay_makes_no_host_sync():
    m = tiny_llama().cuda(); sc = random_scorer(m).cuda(); ids = random_prompt(80, seed=2).ids().cuda()  # 10 blocks of 8: one steady shape
    pol = T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25, graph=True)
    blocks(m, pol, ids, 8)  # captures (a capture synchronises)
    assert len(sc._icmos_graphs) == 1
    prefill_evicting_without_sync(m, pol, ids, 8)

def test_graph_key_has_every_buffer_shape():
    """Two models one scorer fits (hidden size, layers, KV heads) whose head dims differ: the second gets its own graph, not the
    first's buffers (a `stack(out=)` into a buffer of another shape resizes it, away from the memory a CUDA graph reads)."""
    from transformers import LlamaConfig, LlamaForCausalLM
    m = tiny_llama(); sc = random_scorer(m); ids = random_prompt(84, seed=2).ids()
    torch.manual_seed(1)
    m2 = LlamaForCausalLM(LlamaConfig(**{**m.config.to_dict(), 'head_dim': 32})).eval().requires_grad_(False)
    assert m2.model.layers[0].self_attn.head_dim != m.model.layers[0].self_attn.head_dim
    caps = []
    def fake(fn, dev): caps.append(1); r = Replay(fn); return r, r.out
    with mock.patch.object(T, '_graphs_run', lambda x: True), mock.patch.object(T, '_cuda_graph', fake), warnings.catch_warnings():
        warnings.simplefilter('error')  # a resized `out=` buffer warns
        compare(m, sc, ids, chunks=(8,)); compare(m2, sc, ids, chunks=(8,))
    assert len(caps) == 2 and len(sc._icmos_graphs) == 2

def test_graph_holds_the_joint_weight_it_reads():
    """With bf16 features the graph reads the scorer's joint weight, made outside it and cached for one dtype only: another dtype's
    eviction replaces that cache, so the graph's entry must hold the tensor (else a replay reads freed memory)."""
    m = tiny_llama().to(torch.bfloat16); sc = random_scorer(m); ids = random_prompt(84, seed=2).ids()
    def fake(fn, dev): r = Replay(fn); return r, r.out
    with mock.patch.object(T, '_graphs_run', lambda x: True), mock.patch.object(T, '_cuda_graph', fake):
        compare(m, sc, ids, chunks=(8,), feat_dtype='model')
    W = sc._icmos_joint[1]
    sc._joint(torch.float16)  # another model's (float16) eviction through the same scorer
    assert sc._icmos_joint[1] is not W
    assert all(G.get('held') is not None and G['held'][1] is W for G in sc._icmos_graphs.values())

def test_graph_rotates_keys_only_when_a_layer_moved():
    "A prompt's first eviction (every layer's keys still at their index) is captured without the keys' rotation, later ones with it; both keep what eager keeps."
    m = tiny_llama(); sc = random_scorer(m)
    sc.att.mul_(1e4)  # the prior (attention over the served keys) dominates the scores: a wrong rotation changes the kept tokens
    def fake(fn, dev): r = Replay(fn); return r, r.out
    with mock.patch.object(T, '_graphs_run', lambda x: True), mock.patch.object(T, '_cuda_graph', fake):
        compare(m, sc, random_prompt(84, seed=2).ids(), chunks=(8, 8))
    assert sorted((k[3], k[5]) for k in sc._icmos_graphs) == [(20, True), (24, False), (24, True)]  # key[3]: cache length, key[5]: `moved`

def test_graph_default_is_where_it_can_run():
    "graph=None (the default): a graph where CUDA graphs run, silently eager elsewhere or with hook/compiled; a bad value is refused."
    m = tiny_llama(); sc = random_scorer(m); ids = random_prompt(84, seed=2).ids()
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no warning: the default asked for nothing
        same(blocks(m, T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25), ids, 8),
             blocks(m, T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25, graph=False), ids, 8))
        assert '_icmos_graphs' not in sc.__dict__
        def fake(fn, dev): r = Replay(fn); return r, r.out
        with mock.patch.object(T, '_graphs_run', lambda x: True), mock.patch.object(T, '_cuda_graph', fake):
            blocks(m, T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25, hook=True), ids, 8)
            assert not sc.__dict__.get('_icmos_graphs')  # hook: features in the hooks, never a graph
            blocks(m, T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25), ids, 8)
            assert len(sc._icmos_graphs) == 1 and T.graph_mb(sc) == 0.0  # the steady block shape; no CUDA memory on the CPU
    with pytest.raises(T.ICMOSError, match='True or False'): T.Trimmer(budget=16, graph='yes')
