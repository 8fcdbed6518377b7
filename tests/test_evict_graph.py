"""`Trimmer(graph=True)` (issue 16): the steady-state batched eviction as a CUDA graph replay keeps exactly the tokens the eager
eviction keeps, block after block and across a change of shape (GPU); without CUDA, or when capture fails, it evicts eagerly,
warned once (CPU and GPU). On the CPU a stand-in graph (replay = rerun in place) checks the buffers, keys and gather logic."""
import contextlib, warnings
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

class FakeCuda:
    """`torch.cuda`'s streams, graphs and devices on the CPU, for `mock.patch.multiple(torch.cuda, **fc.patches)`: `fc.fn` records the
    stream each call runs on. PyTorch keeps a cuBLAS workspace for every stream a matmul ran on (32 MiB on Hopper, allocated through
    the caching allocator and never freed), so the streams touched are the workspaces a process holds."""
    def __init__(self):
        fc, self.ran_on = self, []
        class Stream:  # torch.cuda.Stream: the next of PyTorch's pool of 32, a new object here
            made = 0
            def __init__(s, device=None, priority=0): s.i, Stream.made = Stream.made, Stream.made + 1
            def wait_stream(s, other): pass
            def __repr__(s): return f'stream {s.i}'
        self.main = self.cur = Stream()
        @contextlib.contextmanager
        def stream(s):
            prev, fc.cur = fc.cur, s
            try: yield
            finally: fc.cur = prev
        class graph:  # torch.cuda.graph: captures on `stream`, else on a stream of its own, made at its first use
            default_capture_stream = None
            def __init__(s, g, pool=None, stream=None, **kw):
                if stream is None and graph.default_capture_stream is None: graph.default_capture_stream = Stream()
                s.ctx = stream_ctx(stream if stream is not None else graph.default_capture_stream)
            def __enter__(s): s.ctx.__enter__()
            def __exit__(s, *e): return s.ctx.__exit__(*e)
        stream_ctx = stream
        class CUDAGraph:
            def replay(s): pass
        self.patches = dict(Stream=Stream, stream=stream, graph=graph, CUDAGraph=CUDAGraph, device=lambda d=None: contextlib.nullcontext(),
                            current_device=lambda: 0, current_stream=lambda d=None: fc.main, synchronize=lambda d=None: None)
    def fn(self): return self.track(lambda: (torch.zeros(1),))()
    def track(self, f):
        "`f`, recording the stream each of its calls runs on."
        def g(): self.ran_on.append(self.cur); return f()
        return g

def test_captures_share_one_side_stream():
    """Every CUDA-graph capture, the Trimmer's evictions (`_cuda_graph`) and `GraphDecoder`'s, warms up and captures on one side
    stream per device (`icmos.core.graph_stream`), whatever the number of captures. A new `torch.cuda.Stream` per capture took the
    next of PyTorch's 32 pooled streams and left a cuBLAS workspace allocated on each: the 32K bench (session 18) recaptures as
    its last-block shapes change (the `_GRAPHS` cap bounds the graphs held, not the captures) and its peak grew ~32 MiB a capture."""
    from icmos import core
    fc, dev = FakeCuda(), torch.device('cuda')
    with mock.patch.multiple(torch.cuda, **fc.patches), mock.patch.object(core, '_GRAPH_STREAMS', {}, create=True), warnings.catch_warnings():
        warnings.simplefilter('error')  # GraphDecoder warns (and decodes eagerly) if its capture fails
        for _ in range(5): T._cuda_graph(fc.fn, dev)
        for _ in range(3):
            d = object.__new__(core.GraphDecoder); d.done, d.graph = 0, None
            d._capture(dev, fc.fn)
            assert d.graph is not None and d.done == 1
    assert len(fc.ran_on) == 16  # a warm-up and a capture each
    assert len(set(fc.ran_on)) == 1 and fc.main not in fc.ran_on  # one side stream, not the main one

def test_bench_recaptures_on_one_stream():
    "Prompts whose last blocks differ (as the 32K bench's do): captures go on past `_GRAPHS`, all of them on the one side stream."
    from icmos import core
    m = tiny_llama(); sc = random_scorer(m); fc, caps = FakeCuda(), []
    real = T._cuda_graph
    def counted(fn, dev): caps.append(1); return real(fc.track(fn), dev)
    with mock.patch.multiple(torch.cuda, **fc.patches), mock.patch.object(core, '_GRAPH_STREAMS', {}, create=True), \
         mock.patch.object(T, '_graphs_run', lambda x: True), mock.patch.object(T, '_cuda_graph', counted):
        for i in range(9):  # last blocks of 4, 5, 6 tokens in turn: six shapes for four graphs
            blocks(m, T.Trimmer(budget=16, scorer=sc, sinks=2, window=0.25), random_prompt(84 + i % 3, seed=i).ids(), 8)
    assert len(sc._icmos_graphs) == T._GRAPHS and len(caps) > T._GRAPHS + 2
    assert len(fc.ran_on) == 2 * len(caps) and len(set(fc.ran_on)) == 1  # a warm-up and a capture each, all on one stream

@cuda
def test_captures_keep_no_workspace_each():
    "On CUDA: device memory allocated does not grow with the number of captures (it grew by a cuBLAS workspace per capture)."
    dev = torch.device('cuda'); a = torch.randn(256, 256, device=dev, dtype=torch.bfloat16)
    T._cuda_graph(lambda: a @ a, dev); torch.cuda.synchronize(dev)
    m0 = torch.cuda.memory_allocated(dev)
    for _ in range(8):
        g, out = T._cuda_graph(lambda: a @ a, dev); g.replay(); del g, out
    torch.cuda.synchronize(dev)
    assert torch.cuda.memory_allocated(dev) - m0 < 4 * 2**20
