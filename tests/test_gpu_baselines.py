"""GPU checks of the Phase 0 baselines (pinned host buffers, async copies, what stays in device memory).
Without CUDA the CUDA-only tests are reported as skipped; `ICMOS_GPU_TEST_DEVICE=cpu` dry-runs the rest on the CPU,
where the same properties are checked on what the cache tensors hold (their device, shape and storage).
Runs without pytest too: `python tests/test_gpu_baselines.py` (a few seconds on one GPU)."""
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
    cuda_only = pytest.mark.skipif(not (CUDA and torch.cuda.is_available()), reason='measures CUDA memory: needs CUDA')
except ImportError: cuda_only = lambda f: f

def _setup(n=300, **kw):
    model = tiny_llama(**kw).to(DEV)
    return model, random_prompt(n), ICMOSConfig(device=DEV, chunk_size=64, max_new_tokens=8)

def _close(a, b, eps=1e-4): assert torch.allclose(a.float(), b.float(), atol=eps, rtol=eps), (a - b).abs().max()

def _kv_bytes(n_layers, n, h_kv=2, d=16, itemsize=4): return n_layers * 2 * h_kv * n * d * itemsize

def _warm(model):
    "One short forward pass first: the first matmul allocates cuBLAS's workspace (32 MiB on an H100), which is no KV."
    with torch.no_grad(): model(random_prompt(16).ids().to(DEV))
    torch.cuda.synchronize()

def test_offload_equals_full_and_holds_kv_on_host():
    model, p, cfg = _setup()
    ref, rc = FullAttention().prepare(model, p, cfg)
    lg, c = Offload().prepare(model, p, cfg)
    _close(lg, ref)
    for l in c.layers:  # every token's K/V in (pinned, on CUDA) host buffers; keys/values are views of them, not copies
        assert l.hk.device.type == 'cpu' and l.hk.is_pinned() == CUDA and l.hk.shape[0] >= 300
        assert l.keys.shape[-2] == 300 and l.keys.untyped_storage().data_ptr() == l.hk.untyped_storage().data_ptr()
        assert l.device_bytes() == 0
    assert c.device_tokens() == 0
    assert greedy_decode(model, c, lg, 16) == greedy_decode(model, rc, ref, 16)

@cuda_only
def test_offload_device_memory_is_at_most_a_layer():
    "Measured with the CUDA allocator: after prefill no KV is left on the device, and at its peak at most ~a layer's worth."
    L, n = 16, 4000
    model, p, cfg = _setup(n=n, n_layers=L, window=8192)
    kv_all = _kv_bytes(L, n)
    _warm(model); base = torch.cuda.memory_allocated(); torch.cuda.reset_peak_memory_stats()
    lg, c = Offload().prepare(model, p, cfg)
    torch.cuda.synchronize()
    held, peak = torch.cuda.memory_allocated() - base, torch.cuda.max_memory_allocated() - base
    assert c.device_tokens() == 0
    assert held < kv_all / L, f'{held} bytes left on the device after prefill (one layer of KV is {kv_all // L})'
    # at its peak one layer's K/V is on the device twice (copied in, concatenated with the chunk) + the chunk's activations
    assert peak < kv_all / 2, f'peak {peak} bytes during prefill: more than a few layers of KV at once ({kv_all // L} each)'
    del lg, c
    # the same measurement sees full attention's cache: it can tell the two apart
    torch.cuda.synchronize(); base = torch.cuda.memory_allocated()
    lg, rc = FullAttention().prepare(model, p, cfg)
    torch.cuda.synchronize()
    assert torch.cuda.memory_allocated() - base >= 0.95 * kv_all

def test_streaming_window_equals_full_and_stays_in_budget():
    model, p, cfg = _setup()
    ref, _ = FullAttention().prepare(model, p, cfg)
    lg, c = Streaming(budget=300).prepare(model, p, cfg)
    _close(lg, ref)
    m = Streaming(budget=40)
    lg, c = m.prepare(model, p, cfg)
    greedy_decode(model, c, lg, 8, on_step=m.on_step)
    assert all(l.keys.shape[-2] == l.values.shape[-2] == 40 and l.keys.device.type == DEV.split(':')[0] for l in c.layers)

def test_blocks_all_selected_equals_full():
    model, p, cfg = _setup()
    ref, rc = FullAttention().prepare(model, p, cfg)
    with BlockCache(model, BlockSpec(n_sink=4, n_local=32, block_size=16, topk=100, n_rep=2)) as c:
        lg, _ = prefill(model, p.ids(), cache=c, chunk_size=64)
        _close(lg, ref)
        assert c.layers[0].hk.is_pinned() == CUDA and c.layers[0].hk.device.type == 'cpu'
        assert greedy_decode(model, c, lg, 16) == greedy_decode(model, rc, ref, 16)

def test_blocks_budget():
    "The K/V tensors each layer holds on the device stay within the budget; the blocks are in host memory."
    model, p, cfg = _setup(n=2000)
    m = Blocks(budget=120, block_size=16, n_rep=2)
    if CUDA: _warm(model); base = torch.cuda.memory_allocated()
    lg, c = m.prepare(model, p, cfg)
    assert 0 < c.device_tokens() <= 120 and torch.isfinite(lg).all()
    assert all(l.hk.device.type == 'cpu' and l.sk.device.type == l.lk.device.type == DEV.split(':')[0] for l in c.layers)
    if CUDA:  # measured: a budget's worth of KV plus the block representatives, far below the whole cache
        torch.cuda.synchronize()
        assert torch.cuda.memory_allocated() - base < _kv_bytes(2, 2000) / 4
    c.close()

if __name__ == '__main__':
    if CUDA and not torch.cuda.is_available(): raise SystemExit('needs CUDA')
    for name, f in list(globals().items()):
        if name.startswith('test_'): f(); print('ok', name, flush=True)
