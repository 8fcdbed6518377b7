"""GPU-only checks of the Phase 0 baselines (pinned host buffers, async copies, device placement).
Skipped without CUDA. Runs without pytest too: `python tests/test_gpu_baselines.py` (a few seconds on one GPU)."""
import os
import torch
from icmos.core import ICMOSConfig, FullAttention, prefill, greedy_decode
from icmos.kv import tiny_llama, random_prompt
from icmos.streaming import Streaming
from icmos.offload import Offload, HostOffloadCache
from icmos.blocks import Blocks, BlockCache, BlockSpec

DEV = os.environ.get('ICMOS_GPU_TEST_DEVICE', 'cuda')  # 'cpu' dry-runs the test logic on a machine without a GPU
CUDA = DEV.startswith('cuda')
try:
    import pytest
    pytestmark = pytest.mark.skipif(CUDA and not torch.cuda.is_available(), reason='needs CUDA')
except ImportError: pass

def _setup(n=300, **kw):
    model = tiny_llama(**kw).to(DEV)
    return model, random_prompt(n), ICMOSConfig(device=DEV, chunk_size=64, max_new_tokens=8)

def _close(a, b, eps=1e-4): assert torch.allclose(a.float(), b.float(), atol=eps, rtol=eps), (a - b).abs().max()

def test_offload_equals_full_on_cuda():
    model, p, cfg = _setup()
    ref, rc = FullAttention().prepare(model, p, cfg)
    lg, c = Offload().prepare(model, p, cfg)
    _close(lg, ref)
    assert c.layers[0].hk.is_pinned() == CUDA and c.layers[0].hk.device.type == 'cpu' and c.device_tokens() == 0
    assert greedy_decode(model, c, lg, 16) == greedy_decode(model, rc, ref, 16)

def test_offload_device_memory_is_one_layer():
    if not CUDA: return
    model, p, cfg = _setup(n=4000, n_layers=8, window=8192)
    torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    _, c = Offload().prepare(model, p, cfg)
    torch.cuda.synchronize()
    kv_all = 8 * 2 * 2 * 4000 * 16 * 4  # layers * (k, v) * h_kv * n * d * fp32
    assert torch.cuda.memory_allocated() - base < kv_all / 8, 'KV left on the device'

def test_streaming_window_equals_full_and_stays_in_budget_on_cuda():
    model, p, cfg = _setup()
    ref, _ = FullAttention().prepare(model, p, cfg)
    lg, c = Streaming(budget=300).prepare(model, p, cfg)
    _close(lg, ref)
    m = Streaming(budget=40)
    lg, c = m.prepare(model, p, cfg)
    greedy_decode(model, c, lg, 8, on_step=m.on_step)
    assert all(l.get_seq_length() == 40 and l.keys.device.type == DEV.split(':')[0] for l in c.layers)

def test_blocks_all_selected_equals_full_on_cuda():
    model, p, cfg = _setup()
    ref, rc = FullAttention().prepare(model, p, cfg)
    with BlockCache(model, BlockSpec(n_sink=4, n_local=32, block_size=16, topk=100, n_rep=2)) as c:
        lg, _ = prefill(model, p.ids(), cache=c, chunk_size=64)
        _close(lg, ref)
        assert c.layers[0].hk.is_pinned() == CUDA
        assert greedy_decode(model, c, lg, 16) == greedy_decode(model, rc, ref, 16)

def test_blocks_budget_on_cuda():
    model, p, cfg = _setup(n=600)
    m = Blocks(budget=120, block_size=16, n_rep=2)
    lg, c = m.prepare(model, p, cfg)
    assert c.get_seq_length() <= 120 and torch.isfinite(lg).all()
    c.close()

if __name__ == '__main__':
    if CUDA and not torch.cuda.is_available(): raise SystemExit('needs CUDA')
    for name, f in list(globals().items()):
        if name.startswith('test_'): f(); print('ok', name, flush=True)
