"GPU only: a batched eviction (every registered policy, and the Trimmer reading attention) makes no host sync, checked by CUDA itself."
import pytest, torch
from icmos.core import prefill
from icmos.kv import Observer, PositionedCache, default_policies, evict, tiny_llama, random_prompt

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')

def prefill_evicting_without_sync(m, pol, ids, chunk):
    "Chunked prefill, each chunk's batched eviction run under CUDA's sync check ('error': a host sync raises)."
    with Observer(m, pol) as ob:
        def on(cc):
            torch.cuda.synchronize()
            torch.cuda.set_sync_debug_mode('error')
            try: evict(cc, pol, ob, batched=True)
            finally: torch.cuda.set_sync_debug_mode(0)
        prefill(m, ids, cache=PositionedCache(m), chunk_size=chunk, on_chunk=on)

@pytest.mark.parametrize('chunk', [60, 13])
def test_batched_eviction_makes_no_host_sync(chunk):
    from test_kv_policies import random_scorer
    from icmos.trimmer import Trimmer
    m = tiny_llama().cuda()
    # the eager batched eviction (graph=False); the graph default's replay is checked by test_evict_graph.test_graph_replay_makes_no_host_sync
    pols = default_policies(budget=16) + [Trimmer(budget=16, scorer=random_scorer(m).cuda(), sinks=2, window=0.25, graph=False)]
    for pol in pols:
        if isinstance(pol, Trimmer): pol.graph = False  # the registered one too: its default (graph on CUDA) would capture, and a capture synchronises
        if isinstance(pol, Trimmer) and pol.scorer is None: pol._scorer(m.model.layers[0].self_attn)  # its one-off lazy scorer (moved to the GPU once) is not an eviction's sync
        prefill_evicting_without_sync(m, pol, random_prompt(60, seed=2).ids(), chunk)
