"""`TrimmerScorer.features` at inference folds the layer norm into the matmul (issue 16: no normalised float32 copy of the hidden
states); it must give the features of the layer norm as written (the training path), hidden states with outlier dimensions included."""
import pytest, torch
import torch.nn.functional as F
from icmos.trimmer import TrimmerConfig, TrimmerScorer

def scorer():
    torch.manual_seed(0)
    sc = TrimmerScorer(TrimmerConfig(64, 4, 2, rank=8)).eval()
    for p in sc.parameters(): torch.nn.init.normal_(p, std=0.05)
    return sc.requires_grad_(False)

def written(sc, x, layer):
    "The layer norm, then `tok` and `imp`: what the scorer was trained on."
    h, e = F.layer_norm(x.float(), x.shape[-1:]), sc._at(sc.layer.weight, layer)
    return sc.tok(h) + (e if isinstance(layer, int) else e[:, None]), sc.imp(h).transpose(-1, -2)

@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
@pytest.mark.parametrize('stacked', [False, True])
def test_folded_features_equal_layer_norm_features(dtype, stacked):
    sc = scorer(); g = torch.Generator().manual_seed(1)
    x = torch.randn(3, 2, 40, 64, generator=g); x[..., 5] *= 300; x[..., 9] += 40  # outlier dimensions, as an LLM's hidden states have
    x = x.to(dtype)
    layer, x = (torch.tensor([0, 3, 1]), x) if stacked else (2, x[0])
    t, imp = sc.features(x, layer)
    t0, i0 = written(sc, x, layer)
    assert t.dtype == imp.dtype == torch.float32 and t.shape == t0.shape and imp.shape == i0.shape
    torch.testing.assert_close(t, t0, rtol=1e-5, atol=2e-5); torch.testing.assert_close(imp, i0, rtol=1e-5, atol=2e-5)

def test_training_takes_the_written_layer_norm():
    "With gradients the features are the layer norm as written (not the fold: `_joint` is not called), bit for bit, and reach every weight."
    sc = scorer().requires_grad_(True); x = torch.randn(2, 10, 64)
    def no_fold(*a): raise AssertionError('the training path folded the layer norm')
    sc._joint = no_fold
    t, imp = sc.features(x, 1)
    with torch.no_grad(): t0, i0 = written(sc, x, 1)
    assert torch.equal(t, t0) and torch.equal(imp, i0)
    (t.sum() + imp.sum()).backward()
    assert sc.tok.weight.grad is not None and sc.imp.weight.grad is not None and sc.layer.weight.grad is not None

@pytest.mark.parametrize('stacked', [False, True])
def test_model_dtype_features_fold_the_layer_norm(stacked):
    """feat_dtype='model' (`features(x, layer, torch.bfloat16)`): no float32 copy of the bf16 hidden states, the layer norm folded in;
    it must give the layer norm as written with the joint weight rounded to bf16, up to the bf16 rounding of the mean and variance."""
    sc = scorer(); g = torch.Generator().manual_seed(2)
    x = torch.randn(3, 2, 40, 64, generator=g) + 3; x[..., 5] *= 20  # a mean far from 0 (the fold's mean term) and an outlier dimension
    xb = x.bfloat16()
    layer, xb = (torch.tensor([0, 3, 1]), xb) if stacked else (2, xb[0])
    t, imp = sc.features(xb, layer, torch.bfloat16)
    rb = scorer(); rb.tok.weight.copy_(sc.tok.weight.bfloat16().float()); rb.imp.weight.copy_(sc.imp.weight.bfloat16().float())
    t0, i0 = written(rb, xb, layer)  # the layer norm in float32 of the same bf16 inputs, the rounded weight
    assert t.dtype == imp.dtype == torch.float32 and t.shape == t0.shape and imp.shape == i0.shape
    tol = 2 ** -8 * max(t0.abs().max().item(), i0.abs().max().item())  # bf16 statistics: ~2^-9 relative
    torch.testing.assert_close(t, t0, rtol=0, atol=tol); torch.testing.assert_close(imp, i0, rtol=0, atol=tol)
    W, Ws, _ = sc._joint(torch.bfloat16)
    assert W.dtype == torch.bfloat16 and W.shape[0] % 8 == 0 and torch.equal(Ws, W[:Ws.shape[0]].float().sum(-1))

def test_float16_statistics_do_not_overflow():
    "float16 hidden states with an outlier whose square passes float16's 65504: the fold's variance must stay finite (float32 statistics)."
    sc = scorer(); g = torch.Generator().manual_seed(4)
    x = torch.randn(2, 40, 64, generator=g); x[..., 5] = 3000.0
    xh = x.half()
    t, imp = sc.features(xh, 1, torch.float16)
    rh = scorer(); rh.tok.weight.copy_(sc.tok.weight.half().float()); rh.imp.weight.copy_(sc.imp.weight.half().float())
    t0, i0 = written(rh, xh, 1)
    assert torch.isfinite(t).all() and torch.isfinite(imp).all()
    tol = 2 ** -8 * max(t0.abs().max().item(), i0.abs().max().item())
    torch.testing.assert_close(t, t0, rtol=0, atol=tol); torch.testing.assert_close(imp, i0, rtol=0, atol=tol)

def test_model_feat_dtype_reads_only_bf16_as_it_is():
    "Trimmer(feat_dtype='model') hands bf16 hidden states to the features in bf16; float16 and float64 take the float32 path (same bits)."
    from unittest import mock
    from icmos.trimmer import Trimmer
    sc = scorer(); pol = Trimmer(budget=8, scorer=sc)  # the default: 'model'
    seen = []
    real = sc.features
    with mock.patch.object(sc, 'features', side_effect=lambda h, l, dt=None: (seen.append(dt), real(h, l, dt))[1]):
        for dt in (torch.bfloat16, torch.float16, torch.float64, torch.float32):
            pol.summarise(1, torch.randn(1, 6, 64).to(dt), None)
    assert seen == [torch.bfloat16, None, None, None]

@pytest.mark.skipif(not torch.cuda.is_available(), reason='the float32-output bf16 matmul runs on CUDA')
def test_mm32_float32_output_on_cuda(monkeypatch):
    "`_mm32` on CUDA: bf16 operands, float32 output, the products summed in float32 (as the cast-first path, up to summation order)."
    from icmos import trimmer
    monkeypatch.setattr(trimmer, '_MM_OUT_DTYPE', None)  # found afresh here, whatever earlier tests left
    g = torch.Generator().manual_seed(3)
    h, W = torch.randn(2, 300, 576, generator=g).bfloat16().cuda(), torch.randn(24, 576, generator=g).bfloat16().cuda()
    y = trimmer._mm32(h, W)
    y0 = torch.nn.functional.linear(h.float(), W.float())
    assert y.dtype == torch.float32 and y.shape == (2, 300, 24)
    torch.testing.assert_close(y, y0, rtol=1e-5, atol=1e-4)
    if hasattr(torch.ops.aten.mm, 'dtype'): assert trimmer._MM_OUT_DTYPE is True  # the float32-output kernel, not the cast path, ran
    assert trimmer._mm32(h.double(), W.double()).dtype == torch.float32 and trimmer._MM_OUT_DTYPE is not False  # float64: cast path, flag kept
