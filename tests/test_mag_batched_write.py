"""MAG's batched memory write (`write_layers`, `MAGConfig.batched_write`) against the layer-by-layer write it replaces:
same states, reads and gradients; a training step's loss and gradients; the compile fallback; bad input."""
import warnings
from unittest import mock

import pytest
import torch

from icmos import neural_memory as nm
from icmos.neural_memory import NeuralMemory, write_layers
from icmos.kv import tiny_llama, random_prompt
from icmos.mag import MAG, mag_batch, mag_batch_loss


def _mems(L=3, C=4, seed=0):
    torch.manual_seed(seed)
    ms = [NeuralMemory(12, d_mem=6, hidden=10, chunk_size=C, grad_clip=0.5) for _ in range(L)]
    for m in ms:  # gates that differ by layer (fresh gate weights are zero)
        with torch.no_grad(): m.to_gates.weight.normal_(0, 0.3); m.to_gates.bias.normal_(0, 1)
    return ms


def _run(ms, xs, batched, compile=False):
    for m in ms: m.zero_grad()
    b = xs[0].shape[0]
    states = [m.state(b, track=True) for m in ms]
    new = write_layers(ms, states, xs, compile=compile) if batched else [m.write(s, x) for m, s, x in zip(ms, states, xs)]
    q = torch.randn(b, 5, 6, generator=torch.Generator().manual_seed(99))
    reads = torch.stack([m.read(s, q) for m, s in zip(ms, new)])
    reads.square().sum().backward()
    return new, reads.detach(), [p.grad.clone() for m in ms for p in m.parameters()]


@pytest.mark.parametrize('C', [1, 3, 5, 8, 32])  # 21 tokens: ragged last chunks for 5 and 8, one partial chunk for 32
def test_write_layers_equals_layer_by_layer(C):
    ms = _mems(C=C, seed=C)
    xs = [torch.randn(2, 21, 12, generator=torch.Generator().manual_seed(10 + l)) * 3 for l in range(3)]
    (so, ro, go), (sn, rn, gn) = _run(ms, xs, False), _run(ms, xs, True)
    torch.testing.assert_close(rn, ro, rtol=1e-5, atol=1e-5)
    for a, c in zip(so, sn):
        for x, y in zip(a.weights + a.momentum + a.surprise, c.weights + c.momentum + c.surprise): torch.testing.assert_close(y, x, rtol=1e-5, atol=1e-5)
        assert (a.n_written, int(a.n_clipped), int(a.n_nonfinite)) == (c.n_written, int(c.n_clipped), int(c.n_nonfinite))
    for x, y in zip(go, gn): torch.testing.assert_close(y, x, rtol=1e-4, atol=1e-5)


def test_training_step_batched_equals_layer_by_layer():
    tiny = tiny_llama()
    ps, ts = [random_prompt(100, seed=5), random_prompt(90, seed=6)], [[5, 6, 7], [8, 9]]
    b = mag_batch(ps, ts, filler=3)
    out = {}
    for batched in (False, True):
        mag = MAG.for_model(tiny, window=24, chunk_size=8, gate_bias=0.0, batched_write=batched, seed=3)
        r = mag_batch_loss(tiny, mag, b); r['loss'].backward()
        out[batched] = (r['loss'].detach(), [p.grad for p in mag.parameters()], r['stream'])
    torch.testing.assert_close(out[True][0], out[False][0])
    for x, y in zip(out[True][1], out[False][1]): torch.testing.assert_close(x, y, rtol=1e-4, atol=1e-6)
    assert out[True][2].ready == [None, None]  # nothing left unwritten after the step
    assert [s.n_written for s in out[True][2].states] == [s.n_written for s in out[False][2].states]


def test_compile_failure_falls_back_to_eager():
    ms = _mems(C=4); xs = [torch.randn(1, 10, 12) for _ in ms]
    ref = write_layers(ms, [m.state() for m in ms], xs)
    def broken(fn, **kw):
        def f(*a, **k): raise RuntimeError('backend unavailable')
        return f
    nm._COMPILED.pop('layers', None); nm._COMPILED.pop('layers_failed', None)
    try:
        with mock.patch.object(torch, 'compile', broken), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            got = write_layers(ms, [m.state() for m in ms], xs, compile=True)
        assert len(caught) == 1 and 'torch.compile failed (RuntimeError: backend unavailable); writing eagerly' in str(caught[0].message)
        for a, c in zip(ref, got):
            for x, y in zip(a.weights, c.weights): torch.testing.assert_close(y, x)
    finally: nm._COMPILED.pop('layers', None); nm._COMPILED.pop('layers_failed', None)


def test_bad_input_is_a_clear_value_error():
    ms = _mems(C=4); xs = [torch.randn(1, 10, 12) for _ in ms]; ss = [m.state(1) for m in ms]
    for call, msg in ((lambda: write_layers(ms, ss[:2], xs), 'one state and one input per memory'),
                      (lambda: write_layers(ms[:2] + [NeuralMemory(12, d_mem=6, hidden=10, chunk_size=5)], ss, xs), 'must share one shape'),
                      (lambda: write_layers(ms, ss, xs[:2] + [torch.randn(1, 9, 12)]), 'every input must have one shape'),
                      (lambda: write_layers(ms, [m.state(2) for m in ms], xs), 'does not match the memory states'),
                      (lambda: NeuralMemory(12, chunk_size=0), 'chunk_size: must be an integer >= 1'),
                      (lambda: nm.write_kv(ss[0], torch.randn(1, 4, 6), torch.randn(1, 4, 6), *[torch.rand(1, 4)] * 3, chunk_size=0), 'chunk_size: must be a positive integer'),
                      (lambda: nm.write_kv(ss[0], torch.randn(1, 4, 6), torch.randn(1, 3, 6), *[torch.rand(1, 4)] * 3), 'same b and n')):
        with pytest.raises(ValueError, match=msg.replace('(', r'\(').replace(')', r'\)')): call()
