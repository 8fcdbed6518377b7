"Parametrized equivalence tests run for every registered KV policy (`icmos.kv.default_policies`)."
import pytest, torch
from icmos.core import prefill, greedy_decode
from icmos.kv import Observer, PositionedCache, default_policies, evict, tiny_llama, random_prompt

POLICIES = default_policies(budget=16)
assert POLICIES, 'no policy registered'

@pytest.fixture(scope='module')
def tiny(): return tiny_llama()

@pytest.mark.parametrize('pol', POLICIES, ids=lambda p: p.name)
def test_budget_at_least_length_is_full_attention(tiny, pol):
    ids = random_prompt(40, seed=5).ids()
    big = type(pol)(budget=64)
    ref, rc = prefill(tiny, ids, chunk_size=9)
    with Observer(tiny) as ob:
        lg, c = prefill(tiny, ids, cache=PositionedCache(tiny), chunk_size=9, on_chunk=lambda cc: evict(cc, big, ob))
        torch.testing.assert_close(lg, ref, atol=1e-5, rtol=1e-5)
        assert greedy_decode(tiny, c, lg, 6, on_step=lambda cc: evict(cc, big, ob)) == greedy_decode(tiny, rc, ref, 6)

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
    assert torch.isfinite(lg).all()
