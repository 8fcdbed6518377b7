"Parametrized equivalence tests run for every registered KV policy (`icmos.kv.default_policies`)."
import pytest, torch
from icmos.core import prefill, greedy_decode
from icmos.kv import Observer, PositionedCache, default_policies, evict, tiny_llama, random_prompt, rope_inv_freq, rotate

POLICIES = default_policies(budget=16)
assert POLICIES, 'no policy registered'

@pytest.fixture(scope='module')
def tiny(): return tiny_llama()

def random_scorer(model, seed: int = 0):
    "A Trimmer scorer reading attention (prior) whose layers differ (random weights): one layer's features would score another's otherwise."
    from icmos.trimmer import TrimmerConfig, TrimmerScorer
    c = model.config
    torch.manual_seed(seed)
    sc = TrimmerScorer(TrimmerConfig(c.hidden_size, c.num_hidden_layers, c.num_key_value_heads, rank=8, prior=True)).eval()
    for w in sc.parameters(): torch.nn.init.normal_(w)
    return sc.requires_grad_(False)

@pytest.mark.parametrize('pol', POLICIES, ids=lambda p: p.name)
def test_budget_at_least_length_is_full_attention(tiny, pol):
    "A budget equal to the whole run (40 prompt tokens + the 5 generated ones fed back) reaches the budget exactly and changes nothing."
    ids = random_prompt(40, seed=5).ids()
    big = type(pol)(budget=45)
    ref, rc = prefill(tiny, ids, chunk_size=9)
    with Observer(tiny) as ob:
        lg, c = prefill(tiny, ids, cache=PositionedCache(tiny), chunk_size=9, on_chunk=lambda cc: evict(cc, big, ob))
        torch.testing.assert_close(lg, ref, atol=1e-5, rtol=1e-5)
        assert greedy_decode(tiny, c, lg, 6, on_step=lambda cc: evict(cc, big, ob)) == greedy_decode(tiny, rc, ref, 6)
    assert all(l.get_seq_length() == 45 and torch.equal(l.pos[0, 0], torch.arange(45)) for l in c.layers)

@pytest.mark.parametrize('pol', POLICIES, ids=lambda p: p.name)
def test_evicted_cache_holds_the_kept_tokens_kv(tiny, pol):
    """After real eviction (budget 16 of a 60-token prompt + 3 generated tokens fed back) every layer holds 16 keys,
    values and positions per head, and they belong together: in layer 0 a token's value depends only on the token, and
    its key only on the token and the position it was encoded at (`pos`). So each kept key, rotated back by its `pos`,
    must be the un-rotated layer-0 key of some token of the sequence, and the kept value that token's value.
    Per-token policy state (`extra`) is gathered along."""
    ids = random_prompt(60, seed=7).ids()
    with Observer(tiny) as ob:
        lg, c = prefill(tiny, ids, cache=PositionedCache(tiny), chunk_size=13, on_chunk=lambda cc: evict(cc, pol, ob))
        toks = greedy_decode(tiny, c, lg, 4, on_step=lambda cc: evict(cc, pol, ob))
    seq = torch.cat([ids, torch.tensor([toks[:3]])], 1)                      # the 63 tokens the cache has seen
    full = tiny(seq, use_cache=True).past_key_values
    inv = rope_inv_freq(tiny)
    raw_full = rotate(full.layers[0].keys, -torch.arange(seq.shape[1]), inv)   # (1, h, 63, d) position-free keys
    L0 = c.layers[0]
    assert L0.keys.shape[-2] == L0.values.shape[-2] == L0.pos.shape[-1] == 16 and L0.moved
    raw = rotate(L0.keys, -L0.pos, inv)
    for h in range(raw.shape[1]):
        dist = torch.cdist(raw[0, h], raw_full[0, h])   # (16, 63): ~1e-4 for the same token (rotation round-off), ~0.5 otherwise
        j = dist.argmin(-1)
        assert dist.min(-1).values.max() < 1e-2, f'head {h}: a kept key is no token of the sequence at its position'
        torch.testing.assert_close(L0.values[0, h], full.layers[0].values[0, h, j], atol=1e-5, rtol=1e-5)
    for v in L0.extra.values(): assert v.shape[2] == 16

@pytest.mark.parametrize('pol', POLICIES, ids=lambda p: p.name)
@pytest.mark.parametrize('chunk', [3, 16, 64])
def test_cache_never_exceeds_budget(tiny, pol, chunk):
    sizes = []
    with Observer(tiny) as ob:
        def on(cc):
            evict(cc, pol, ob); sizes.append(max(l.get_seq_length() for l in cc.layers))
        lg, c = prefill(tiny, random_prompt(100, seed=2).ids(), cache=PositionedCache(tiny), chunk_size=chunk, on_chunk=on)
        greedy_decode(tiny, c, lg, 8, on_step=on)
    assert max(sizes) <= pol.budget and sizes[-1] == pol.budget
    assert all(l.values.shape[-2] == l.pos.shape[-1] == pol.budget for l in c.layers)   # keys, values and positions agree
    assert torch.isfinite(lg).all()

@pytest.mark.parametrize('pol', POLICIES, ids=lambda p: p.name)
def test_batched_eviction_equals_layer_by_layer(tiny, pol):
    """`evict` scores the layers in one stacked call (`batched` policies) and chooses with one top-k; layer by layer
    (`batched=False`) must keep the same tokens in every layer at every step, and so answer the same."""
    tiny4 = tiny_llama(n_layers=4, seed=3)  # layers that differ: a stacked call that mixed them up keeps other tokens
    ids = random_prompt(70, seed=11).ids()
    kw = {'window_size': 8} if hasattr(pol, 'window_size') else {}  # SnapKV: a window inside the budget
    if pol.name == 'trimmer':  # a scorer whose layers differ (random per-layer weights), reading attention, with sinks and a window
        kw = dict(scorer=random_scorer(tiny4), sinks=2, window=0.25)
    runs = []
    for batched in (True, False):
        p = type(pol)(budget=24, **kw)
        kept = []
        def on(cc):
            evict(cc, p, ob, batched=batched); kept.append([l.pos.clone() for l in cc.layers])
        with Observer(tiny4) as ob:
            lg, c = prefill(tiny4, ids, cache=PositionedCache(tiny4), chunk_size=23, on_chunk=on)
            toks = greedy_decode(tiny4, c, lg, 6, on_step=on)
        runs.append((kept, toks, lg))
    (kb, tb, lb), (kl, tl, ll) = runs
    assert len(kb) == len(kl) and all(torch.equal(a, b) for sb, sl in zip(kb, kl) for a, b in zip(sb, sl))
    assert tb == tl
    torch.testing.assert_close(lb, ll)
    if pol.batched and pol.name != 'streaming':  # streaming keeps the same tokens in every layer by design
        assert any(not torch.equal(kb[-1][0], s) for s in kb[-1][1:]), 'every layer kept the same tokens: the test cannot tell layers apart'

def test_trimmer_positions_follow_the_cache():
    """The Trimmer's per-token positions (`trim_pos`) are the tokens' positions in the sequence even when the newest
    token is evicted (no sinks, no window), and batched scoring keeps what layer-by-layer scoring keeps. (The cache's
    own `pos` is where each key was encoded, its cache index on arrival, not its place in the sequence.)"""
    from icmos.trimmer import Trimmer, TrimmerConfig, TrimmerScorer
    tiny4 = tiny_llama(n_layers=4, seed=3); c = tiny4.config
    sc = random_scorer(tiny4, seed=5)
    ids = random_prompt(200, seed=5).ids()
    kept, newest_evicted = {}, False
    for batched in (True, False):
        pol, steps, seen = Trimmer(budget=24, scorer=sc, sinks=0, window=0.0), [], [0]
        with Observer(tiny4) as ob:
            def on(cc):
                nonlocal newest_evicted
                n0, seen[0] = seen[0], cc.layers[0].n_seen
                for l in cc.layers:  # a test-owned tag of every token's place in the sequence, gathered along by eviction
                    new = torch.arange(n0, seen[0]).expand(*l.pos.shape[:2], -1)
                    l.extra['seq_pos'] = torch.cat([l.extra['seq_pos'], new], 2) if 'seq_pos' in l.extra else new
                evict(cc, pol, ob, batched=batched); steps.append([l.pos.clone() for l in cc.layers])
                for l in cc.layers:
                    assert torch.equal(l.extra['trim_pos'], l.extra['seq_pos']), 'the Trimmer lost track of positions'
                    newest_evicted |= bool((l.extra['seq_pos'][..., -1] != seen[0] - 1).any())
            prefill(tiny4, ids, cache=PositionedCache(tiny4), chunk_size=17, on_chunk=on)
        kept[batched] = steps
    assert all(torch.equal(a, b) for sa, sb in zip(kept[True], kept[False]) for a, b in zip(sa, sb))
    assert newest_evicted, 'the newest token was never evicted: nothing tested'

def test_trimmer_refuses_an_observation_without_positions(tiny):
    "A hand-built Observation that does not say how many tokens the layer has seen gets a clear error, not a guess."
    from icmos.core import ICMOSError
    from icmos.kv import Observation
    from icmos.trimmer import Trimmer
    with Observer(tiny) as ob:
        _, c = prefill(tiny, random_prompt(30, seed=1).ids(), cache=PositionedCache(tiny), chunk_size=30)
        o = ob.observation(0, c.layers[0])
    o.n_seen = None
    with pytest.raises(ICMOSError, match='n_seen'): Trimmer(budget=16).score(o.keys, None, o.hidden, None, obs=o)

def test_stack_refuses_layers_of_different_lengths(tiny):
    "Observation.stack joins only layers holding the same number of tokens; otherwise a clear error."
    from icmos.core import ICMOSError
    from icmos.kv import Observation
    with Observer(tiny) as ob:
        _, c = prefill(tiny, random_prompt(30, seed=1).ids(), cache=PositionedCache(tiny), chunk_size=30)
        o0, o1 = ob.observation(0, c.layers[0]), ob.observation(1, c.layers[1])
    assert Observation.stack([o0, o1]).keys.shape[0] == 2
    o1.keys = o1.keys[..., :-1, :]
    with pytest.raises(ICMOSError, match='different numbers of tokens'): Observation.stack([o0, o1])

def test_keep_layers_equals_keep_per_layer(tiny):
    """`keep_layers` (one stacked gather per kind of tensor) keeps what `PositionedLayer.keep` keeps layer by layer: keys, values,
    positions, per-token state and `moved`; layers whose state differs in shape take the per-layer fallback, with the same result."""
    import copy
    from icmos.kv import keep_layers
    ids = random_prompt(40, seed=7).ids()
    _, c = prefill(tiny, ids, cache=PositionedCache(tiny), chunk_size=40)
    g = torch.Generator().manual_seed(0)
    for l in c.layers: l.extra['s'] = torch.randn(*l.pos.shape, 3, generator=g)
    idx = torch.stack([torch.randperm(40, generator=g)[:12].sort().values.expand(*c.layers[0].pos.shape[:2], 12) for _ in c.layers])
    for odd in (False, True):
        a, b = copy.deepcopy(c), copy.deepcopy(c)
        if odd: a.layers[0].extra['s'] = b.layers[0].extra['s'] = b.layers[0].extra['s'][..., :2].clone()  # shapes differ: fallback
        keep_layers(list(a.layers), idx, [True] * len(a.layers))
        for l, i in zip(b.layers, idx): l.keep(i, True)
        for la, lb in zip(a.layers, b.layers):
            assert torch.equal(la.keys, lb.keys) and torch.equal(la.values, lb.values) and torch.equal(la.pos, lb.pos)
            assert torch.equal(la.extra['s'], lb.extra['s']) and la.moved and lb.moved
        assert not torch.equal(a.layers[0].keys, c.layers[0].keys[:, :, :12])  # the indices are not a prefix: the check can fail

def test_stack_keeps_only_the_queries_a_policy_reads(tiny):
    """A batched eviction stacks only the chunk's last `KVPolicy.last_queries()` queries (and hidden states only for policies
    that read them); their attention equals the full stack's, and asking for more queries than were kept is a clear error."""
    from icmos.core import ICMOSError
    from icmos.kv import Observation
    from icmos.presses import SnapKV, TOVA
    with Observer(tiny) as ob:
        _, c = prefill(tiny, random_prompt(40, seed=2).ids(), cache=PositionedCache(tiny), chunk_size=40)
        os_ = [ob.observation(i, c.layers[i]) for i in range(len(c.layers))]
    full = Observation.stack(os_)
    assert TOVA(budget=8).last_queries() == 1 and SnapKV(budget=8, window_size=5).last_queries() == 5
    cut = Observation.stack(os_, last_queries=3, hidden=False)
    assert cut.q_raw.shape[-2] == 3 and cut.c == full.c == 40 and cut.hidden is None and full.hidden is not None
    torch.testing.assert_close(cut.attention(last=3), full.attention(last=3))  # positions follow the chunk, not the kept queries
    torch.testing.assert_close(cut.attention(last=1), full.attention(last=1))
    with pytest.raises(ICMOSError, match='last 3 queries, not 4'): cut.attention(last=4)
    with pytest.raises(ICMOSError, match='holds no queries'): Observation.stack(os_, last_queries=0).attention(last=1)

@pytest.mark.parametrize('batched', [True, False], ids=['batched', 'layerwise'])
@pytest.mark.parametrize('chunk', [70, 23], ids=['one-chunk', 'chunked'])
def test_trimmer_features_in_the_hook_equal_features_at_eviction(chunk, batched):
    """The Trimmer's features computed in the forward hooks (`Trimmer(hook=True)` under an Observer opened for it, layer by layer
    during the prefill) give the scores, per-token state and kept tokens of features computed at eviction from the raw hidden
    states (an Observer without a policy), at every eviction of the prefill and of decoding: to the bit, except where batched
    eviction of a one-token chunk (decoding, or 70 = 3 x 23 + 1) computes the raw path's features for all layers in one matmul,
    which rounds unlike one layer's (~1e-6 on the CPU, once 1.8e-5; the hook always works layer by layer): there within float rounding (1e-4)."""
    from icmos.core import ICMOSError
    from icmos.trimmer import Trimmer, TrimmerConfig, TrimmerScorer
    class Spy(Trimmer):  # records every score it returns, tagged with the chunk's length
        def score(self, *a, **kw):
            s = super().score(*a, **kw); self.log.append((self.c, s.clone())); return s
    tiny4 = tiny_llama(n_layers=4, seed=3); c = tiny4.config
    sc = random_scorer(tiny4)
    ids = random_prompt(70, seed=11).ids()
    runs = {}
    for hook in (True, False):
        pol = Spy(budget=24, scorer=sc, sinks=2, window=0.25, hook=hook); pol.log, kept = [], []
        with Observer(tiny4, pol if hook else None) as ob:
            def on(cc):
                hid, q, feats = ob.seen[0]  # the path under test: features from the hook, or hidden states
                assert (hid is None and feats is not None) if hook else (hid is not None and feats is None)
                pol.c = q.shape[1]
                evict(cc, pol, ob, batched=batched)
                kept.append((pol.c, [(l.pos.clone(), l.extra['trim_pos'].clone(), l.extra['trim'].clone()) for l in cc.layers]))
            lg, cache = prefill(tiny4, ids, cache=PositionedCache(tiny4), chunk_size=chunk, on_chunk=on)
            toks = greedy_decode(tiny4, cache, lg, 10, on_step=on)  # more steps than the window (6): decoded tokens get scored
            if hook:  # an Observer opened for one policy refuses to serve another
                with pytest.raises(ICMOSError, match='opened for another policy'): evict(cache, Trimmer(budget=8, scorer=sc), ob)
        runs[hook] = (pol.log, kept, toks)
    (sh, kh, th), (sr, kr, tr) = runs[True], runs[False]
    assert [c for c, _ in sh] == [c for c, _ in sr] and [c for c, _ in kh] == [c for c, _ in kr] and len(kh) >= 10
    def same(a, b, c):
        if batched and c == 1: torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)  # float rounding: up to 1.8e-5 seen in a CI run (2026-11-29)
        else: assert torch.equal(a, b), f'a chunk of {c}: the hook gives other values'
    for (c, a), (_, b) in zip(sh, sr): same(a, b, c)
    for (c, la), (_, lb) in zip(kh, kr):
        for (pa, qa, fa), (pb, qb, fb) in zip(la, lb):
            assert torch.equal(pa, pb) and torch.equal(qa, qb), f'a chunk of {c}: other tokens kept'
            same(fa, fb, c)
    assert th == tr

def test_compiled_trimmer_keeps_what_the_eager_one_keeps():
    """`Trimmer(compiled=True)` runs the scorer's features and combine through `torch.compile` (dynamic shapes): over a chunked
    prefill and decoding, batched, it keeps the tokens the eager scorer keeps and its scores agree up to float rounding,
    without a recompile per chunk length or position."""
    import torch._dynamo
    from icmos.trimmer import Trimmer, TrimmerConfig, TrimmerScorer
    class Spy(Trimmer):
        def score(self, *a, **kw):
            s = super().score(*a, **kw); self.log.append(s.clone()); return s
    tiny4 = tiny_llama(n_layers=4, seed=3)
    sc = random_scorer(tiny4)
    ids = random_prompt(70, seed=11).ids()
    torch._dynamo.reset()
    runs = {}
    for compiled in (False, True):
        pol = Spy(budget=24, scorer=sc, sinks=2, window=0.25, compiled=compiled); pol.log, kept = [], []
        with Observer(tiny4, pol) as ob:
            def on(cc): evict(cc, pol, ob, batched=True); kept.append([l.pos.clone() for l in cc.layers])
            lg, cache = prefill(tiny4, ids, cache=PositionedCache(tiny4), chunk_size=23, on_chunk=on)
            toks = greedy_decode(tiny4, cache, lg, 8, on_step=on)
        runs[compiled] = (pol.log, kept, toks)
    assert '_icmos_compiled' in sc.__dict__ and set(sc.__dict__['_icmos_compiled']) == {'features', 'combine'}
    (se, ke, te), (sc_, kc, tc) = runs[False], runs[True]
    assert len(se) == len(sc_) >= 10
    for a, b in zip(se, sc_): torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    assert all(torch.equal(a, b) for x, y in zip(ke, kc) for a, b in zip(x, y)) and te == tc
    # chunks of 23, 23, 23 and 1 tokens and single decode steps: dynamic shapes, not one graph per length
    assert torch._dynamo.utils.counters['stats']['unique_graphs'] <= 5  # torch 2.13: 5 since session 16 (`_joint`, the folded layer norm's weight cache, breaks the graph once; 4 before), 6 with dynamic=False

def test_observer_forgets_what_another_policy_observed(tiny):
    """Features a `Trimmer(hook=True)` made in the hooks belong to it: pointing the Observer at another policy forgets them, so
    evicting with that policy before a new forward pass is a clear error, never a silent read of the first policy's features."""
    from icmos.core import ICMOSError
    from icmos.trimmer import Trimmer, TrimmerConfig, TrimmerScorer
    c = tiny.config
    a, b = (Trimmer(budget=8, scorer=TrimmerScorer(TrimmerConfig(c.hidden_size, c.num_hidden_layers, c.num_key_value_heads, rank=4)).eval(),
                    hook=True) for _ in range(2))
    with Observer(tiny, a) as ob:
        _, cache = prefill(tiny, random_prompt(30, seed=1).ids(), cache=PositionedCache(tiny), chunk_size=30)
        assert ob.seen[0][2] is not None  # a's features
        with pytest.raises(ICMOSError, match='opened for another policy'): evict(cache, b, ob)
        ob.policy = b
        with pytest.raises(ICMOSError, match='no forward pass was observed'): evict(cache, b, ob)
        ob.policy = b; assert ob.seen == {}  # (setting the same policy again changes nothing)
    with pytest.raises(ICMOSError, match='must be True or False'): Trimmer(budget=8, hook='0')
    with pytest.raises(ICMOSError, match='must be True or False'): Trimmer(budget=8, compiled=1)

def test_batched_eviction_stacks_only_the_queries_read(tiny):
    "`evict` hands a batched policy a stack of `last_queries()` queries and, unless it reads them, no hidden states."
    from icmos.core import ICMOSError
    from icmos.kv import Observation
    from icmos.presses import TOVA
    seen = []
    class Spy(TOVA):
        def score(self, keys, values, hidden=None, attn=None, obs=None):
            seen.append((obs.q_raw.shape[-2], obs.c, obs.hidden)); return super().score(keys, values, hidden, attn, obs)
    with Observer(tiny) as ob:
        _, c = prefill(tiny, random_prompt(40, seed=2).ids(), cache=PositionedCache(tiny), chunk_size=40)
        evict(c, Spy(budget=8), ob, batched=True)
        os_ = [ob.observation(i, c.layers[i]) for i in range(len(c.layers))]
    assert seen == [(1, 40, None)]
    cut = Observation.stack(os_, last_queries=1)
    with pytest.raises(ICMOSError, match='last 1 of 40 queries, not all'): cut.attention()
    for bad in (-2, 1.5, True):
        with pytest.raises(ICMOSError, match='last_queries must be'): Observation.stack(os_, last_queries=bad)

def _trimmer_with_prior(model):
    from icmos.trimmer import Trimmer
    return Trimmer(budget=16, scorer=random_scorer(model), sinks=2, window=0.25)

@pytest.mark.parametrize('make', [lambda m, p=p: p for p in POLICIES] + [_trimmer_with_prior],
                         ids=[p.name for p in POLICIES] + ['trimmer-prior'])
@pytest.mark.parametrize('chunk', [60, 13], ids=['one-chunk', 'chunked'])
def test_batched_eviction_reads_nothing_back_to_the_host(tiny, make, chunk):
    """A batched eviction never copies a tensor's value to the host (`.tolist()`, `.item()`, `bool()`, `int()`, `float()`: a host sync
    on a GPU, which stalls the launch queue after every chunk): with those made to raise, every policy evicts a prompt in one chunk
    and chunk by chunk. (On a GPU, tests/test_evict_sync.py also runs it under `torch.cuda.set_sync_debug_mode('error')`.)"""
    from unittest import mock
    pol = make(tiny)
    def sync(*a, **k): raise AssertionError('a host sync on the batched eviction path')
    patches = [mock.patch.object(torch.Tensor, f, sync) for f in ('tolist', 'item', '__bool__', '__int__', '__float__')]
    cuts = []
    with Observer(tiny, pol) as ob:
        def on(cc):
            n = cc.get_seq_length()
            for p in patches: p.start()
            try: evict(cc, pol, ob, batched=True)
            finally:
                for p in patches: p.stop()
            cuts.append(n > pol.budget)
        prefill(tiny, random_prompt(60, seed=2).ids(), cache=PositionedCache(tiny), chunk_size=chunk, on_chunk=on)
    assert any(cuts)  # the path that cuts ran
