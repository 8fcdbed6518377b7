"""MAG's CUDA-graph training step (`GraphedStep`): the same steps as the eager loop, its fallback when capture fails, the
static shapes it needs (`mag_batch(pad=...)`), and its refusals. The equality tests need a CUDA device."""
import warnings
from unittest import mock

import pytest
import torch

from icmos.core import ICMOSError
from icmos.kv import tiny_llama, random_prompt
from icmos.mag import MAG, GraphedStep, TrainConfig, mag_batch, mag_batch_loss, mag_step

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')


def _batches(k=4, pad=(1, 1)):
    "k batches of two prompts of one shape (lengths 100 and 90: the feed is padded to the longest, then to `pad`)."
    return [mag_batch([random_prompt(100, seed=10 + 2 * i), random_prompt(90, seed=11 + 2 * i)], [[5, 6, 7], [8, 9]], 3, pad)
            for i in range(k)]


def test_mag_batch_pad_rounds_lengths_up_and_keeps_the_tail_exact():
    tiny = tiny_llama()
    ps, ts = [random_prompt(100, seed=5), random_prompt(90, seed=6)], [[5, 6, 7], [8, 9]]
    b0, b1 = mag_batch(ps, ts, 3), mag_batch(ps, ts, 3, pad=(32, 8))
    assert b0['feed'].shape[1] == 97 and b1['feed'].shape[1] == 128 and b1['tail'].shape[1] % 8 == 0 < b0['tail'].shape[1] < b1['tail'].shape[1]
    for j, p in enumerate(ps):  # the prefix stays first and the context last: only filler is inserted between them
        a, c = p.prefix.shape[1], p.context.shape[1]
        assert torch.equal(b1['feed'][j, :a], p.prefix[0]) and torch.equal(b1['feed'][j, -c:], p.context[0])
        assert (b1['feed'][j, a:128 - c] == 3).all()
    assert (b1['labels'][:, b0['labels'].shape[1]:] == -100).all()
    # right-padding the tail is exact (causal): the same per-sample losses with the tail padded or not
    bt = mag_batch(ps, ts, 3, pad=(1, 8))
    mag = MAG.for_model(tiny, window=24, chunk_size=8, gate_bias=0.0, seed=3)
    torch.testing.assert_close(mag_batch_loss(tiny, mag, bt)['losses'], mag_batch_loss(tiny, mag, b0)['losses'])
    for bad in [(0, 1), (1,), (2, 1.5), (True, 1), 256, None]:
        with pytest.raises(ICMOSError, match='pad must be'): mag_batch(ps, ts, 3, pad=bad)


def test_graphed_step_refusals():
    tiny = tiny_llama()
    mag = MAG.for_model(tiny, window=24, chunk_size=8)
    params = list(mag.parameters())
    cap = torch.optim.AdamW(params, capturable=True)
    with pytest.raises(ICMOSError, match='capturable=True'): GraphedStep(tiny, mag, torch.optim.AdamW(params), params)
    for kw in ({'warmup': 0}, {'max_graphs': 0}, {'warmup': 1.5}):
        with pytest.raises(ICMOSError, match='warmup and max_graphs'): GraphedStep(tiny, mag, cap, params, **kw)
    with pytest.raises(ICMOSError, match='compile_write'): GraphedStep(tiny, MAG.for_model(tiny, window=24, chunk_size=8, compile_write=True), cap, params)
    with pytest.raises(ICMOSError, match='CUDA device'): GraphedStep(tiny, mag, cap, params)
    with pytest.raises(ICMOSError, match='graph: must be'): TrainConfig(phases=['needle'], graph='yes')


def test_train_cli_graph_flags():
    import argparse
    from icmos.mag import train_args
    p = argparse.ArgumentParser(); train_args(p)
    assert [p.parse_args(a).graph for a in ([], ['--graph'], ['--no-graph'])] == [None, True, False]


def _train(graph: bool, batches, seed=3, split=False, aw=0.0, stat='losses', **kw):
    """Losses per step and the final parameters of `len(batches)` steps on the tiny model on CUDA, eager or graphed; `split`: the
    memories' gradient and the rest clipped on their own (`TrainConfig.split_clip`)."""
    tiny = tiny_llama().cuda()
    mag = MAG.for_model(tiny, window=24, chunk_size=8, gate_bias=0.0, seed=seed)
    params = [p for p in mag.parameters() if p.requires_grad]
    wr = list(mag.memory.parameters())
    groups = [wr, [p for p in params if all(p is not q for q in wr)]] if split else None
    opt = torch.optim.AdamW(params, lr=1e-2, capturable=True)
    step = (GraphedStep(tiny, mag, opt, params, groups=groups, address_weight=aw, **kw) if graph
            else (lambda b: mag_step(tiny, mag, opt, params, b, groups=groups, address_weight=aw)))
    losses = [step(b)[stat] for b in batches]  # kept across replays: each must be its own tensor (`stat`: which statistic)
    return torch.stack(losses).cpu(), [p.detach().cpu() for p in params], step


@cuda
def test_graphed_steps_equal_eager_steps():
    bs = _batches(6)
    (le, pe, _), (lg, pg, st) = _train(False, bs), _train(True, bs, warmup=2)
    assert st.n_replayed == 4 and len(st.graphs) == 1 and st.failed is None
    torch.testing.assert_close(lg, le, rtol=1e-4, atol=1e-5)
    for x, y in zip(pg, pe): torch.testing.assert_close(x, y, rtol=1e-3, atol=1e-5)


@cuda
def test_graphed_step_shapes_and_fallback():
    bs = _batches(2) + _batches(2, pad=(16, 8)) + _batches(1, pad=(32, 8))  # three shapes; max_graphs=2: the third runs eagerly
    le, pe, _ = _train(False, bs)
    with warnings.catch_warnings(record=True) as w0:
        warnings.simplefilter('always')
        lg, pg, st = _train(True, bs, warmup=1, max_graphs=2)
    assert len(st.graphs) == 2 and st.n_eager == 2 and st.n_replayed == 3 and sum('run eagerly' in str(x.message) for x in w0) == 1
    torch.testing.assert_close(lg, le, rtol=1e-4, atol=1e-5)
    for x, y in zip(pg, pe): torch.testing.assert_close(x, y, rtol=1e-3, atol=1e-5)
    with mock.patch.object(torch.cuda, 'CUDAGraph', side_effect=RuntimeError('no graphs here')), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        lf, pf, sf = _train(True, bs, warmup=1)
    assert sf.failed and sf.n_replayed == 0 and sf.n_eager == len(bs) and any('training eagerly' in str(x.message) for x in w)
    torch.testing.assert_close(lf, le, rtol=1e-4, atol=1e-5)


@cuda
def test_graphed_step_returns_to_an_earlier_shape():
    "A-B-A: the graphs share one memory pool; replaying A after B was captured must still give the eager steps."
    a, b = _batches(4), _batches(3, pad=(16, 8))
    bs = [a[0], a[1], b[0], b[1], a[2], b[2], a[3]]
    le, pe, _ = _train(False, bs)
    lg, pg, st = _train(True, bs, warmup=1)
    assert len(st.graphs) == 2 and st.n_eager == 1 and st.n_replayed == 6 and st.failed is None  # warm-up: the first step only
    torch.testing.assert_close(lg, le, rtol=1e-4, atol=1e-5)
    for x, y in zip(pg, pe): torch.testing.assert_close(x, y, rtol=1e-3, atol=1e-5)


@cuda
def test_graphed_step_fed_by_a_pinning_dataloader():
    """Batches from a DataLoader with worker processes and a pin-memory thread, as `icmos train mag` feeds them: the capture runs
    while that thread pins the next batch (session 20's first run lost its capture so), and must still equal eager training."""
    bs = _batches(8)
    le, pe, _ = _train(False, bs)
    dl = torch.utils.data.DataLoader(bs, batch_size=None, num_workers=2, pin_memory=True)
    lg, pg, st = _train(True, dl, warmup=2)
    assert st.failed is None and st.n_replayed == 6 and len(st.graphs) == 1
    torch.testing.assert_close(lg, le, rtol=1e-4, atol=1e-5)
    for x, y in zip(pg, pe): torch.testing.assert_close(x, y, rtol=1e-3, atol=1e-5)


@cuda
def test_graphed_split_clip_equals_eager_split_clip():
    "The per-group clip inside the captured step: graphed training with `groups` equals eager training with them, and differs from the joint clip."
    bs = _batches(6)
    (le, pe, _), (lg, pg, st) = _train(False, bs, split=True), _train(True, bs, split=True, warmup=2)
    assert st.n_replayed == 4 and st.failed is None
    torch.testing.assert_close(lg, le, rtol=1e-4, atol=1e-5)
    for x, y in zip(pg, pe): torch.testing.assert_close(x, y, rtol=1e-3, atol=1e-5)
    _, pj, _ = _train(False, bs)
    assert any(not torch.allclose(x, y) for x, y in zip(pe, pj))  # the split clip changed the training (the tiny model's gradient is clipped)


@cuda
def test_graphed_address_loss_equals_eager_address_loss():
    "The address loss inside the captured step (the kept stream and queries, the `needle` input): graphed equals eager, and it changes the training."
    bs = [mag_batch([random_prompt(100, seed=10 + 2 * i), random_prompt(90, seed=11 + 2 * i)], [[5, 6, 7], [8, 9]], 3,
                    needles=[[20 + i, 21 + i], []]) for i in range(6)]
    (le, pe, _), (lg, pg, st) = _train(False, bs, aw=1.0), _train(True, bs, aw=1.0, warmup=2)
    assert st.n_replayed == 4 and st.failed is None
    torch.testing.assert_close(lg, le, rtol=1e-4, atol=1e-5)
    for x, y in zip(pg, pe): torch.testing.assert_close(x, y, rtol=1e-3, atol=1e-5)
    _, p0, _ = _train(False, bs)
    assert any(not torch.allclose(x, y) for x, y in zip(pe, p0))
    (ae, _, _), (ag, _, _) = _train(False, bs, aw=1.0, stat='address'), _train(True, bs, aw=1.0, stat='address', warmup=2)
    assert torch.isfinite(ae).all() and (ae[:, 0] > 0).all() and (ae[:, 1] == 0).all()  # each batch's needle moves: the input is re-copied
    torch.testing.assert_close(ag, ae, rtol=1e-4, atol=1e-5)
