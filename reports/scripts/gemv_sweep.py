"""Issue 13: the one-row matmuls of a SmolLM2 decode step timed alone on one GPU, `icmos.core.load_triton_gemv`'s kernel (the
norm, SwiGLU and residual fused in) at several launch settings against torch's `F.linear` (cuBLAS) and against the unfused torch
ops it replaces (RMSNorm + matmul, silu * up + matmul + add), each in a CUDA graph of 30 calls on 30 different weights (a step's
30 layers; the larger shapes' 30 weights do not fit in L2 between calls, the q|k|v and o sets, 33 and 20 MB, may). Every setting's output is checked against float32 products.

  python reports/scripts/gemv_sweep.py --out gemv_sweep.csv          # on a GPU; columns shape,N,K,fused,impl,BN,BK,warps,us_per_call,max_err,ok
  TRITON_INTERPRET=1 python reports/scripts/gemv_sweep.py --device cpu --out /tmp/gs.csv --quick    # the script's own check on the CPU
  python reports/scripts/gemv_sweep.py --out gemv_merge.csv --merge      # + rows 'attn+o': the attention's merge launch against gemv.merge
"""
import argparse, csv, inspect, sys

import torch
import torch.nn.functional as F

from icmos.core import _rms, gemv_config, load_triton_gemv
from triton_attention_sweep import graph_us  # the same CUDA-graph timing as the attention's sweep (this folder)

SHAPES = {'qkv': (960, 576, 'norm'), 'o': (576, 576, 'res'), 'gate_up': (3072, 576, 'norm'), 'down': (576, 1536, 'glu+res'),
          'head': (49152, 576, 'norm')}


def timed(fn, dev, reps: int) -> float:
    "Microseconds per call of `fn` (which makes 30 calls), from a CUDA graph replayed `reps` times (eager on the CPU)."
    return graph_us(fn, reps, dev) / 30


def merge_sweep(a, dev, dt, gv, w_, f, cols, name) -> int:
    """Rows 'attn+o': a decode layer's attention (write=True: RoPE and the cache write inside, 64 chunks) and its output projection
    with the residual, over 30 layers' caches of `--context` slots: impl 'merge_launch' (the chunks merged by the attention's second
    launch, then `gemv`) and 'gemv_merge' (merge='gemv': the projection merges, BN = its rows per program). Checked against the first."""
    from icmos.core import load_triton_attention
    hk, g_, d, N = (1, 3, 16, 40) if a.quick else (3, 3, 64, 576)
    L = 256 if a.quick else a.context
    gen = torch.Generator().manual_seed(1)
    kc = [torch.randn(1, hk, L, d, generator=gen).to(dev, dt) for _ in range(30)]; vc = [torch.randn(1, hk, L, d, generator=gen).to(dev, dt) for _ in range(30)]
    W = [(torch.randn(N, hk * g_ * d, generator=gen) / (hk * g_ * d) ** 0.5).to(dev, dt) for _ in range(30)]
    qkv = torch.randn(1, (g_ + 2) * hk * d, generator=gen).to(dev, dt); r = torch.randn(1, N, generator=gen).to(dev, dt)
    an = torch.randn(d // 2, generator=gen); cos, sin = (torch.cat([fn(an), fn(an)]).to(dev, dt) for fn in (torch.cos, torch.sin))
    pos, mask = torch.tensor([L - 1], device=dev), torch.zeros(1, 1, 1, L, device=dev, dtype=dt)
    att, part = load_triton_attention(64, write=True), load_triton_attention(64, write=True, merge='gemv')
    ref = gv(att(qkv, kc[0], vc[0], pos, cos, sin, mask, 0.125).reshape(1, -1), W[0], res=r).float()
    tol = (1e-5 if dt == torch.float32 else 2e-2) * float(ref.abs().max()) + 1e-6
    bad = 0
    def row(impl, us, out, BN=''):
        nonlocal bad
        err = float((out.float() - ref).abs().max()); ok = err <= tol; bad += not ok
        rec = dict(shape='attn+o', N=N, K=hk * g_ * d, fused=f'attention L={L}', impl=impl, BN=BN, BK='', warps='', us_per_call=f'{us:.3f}', max_err=f'{err:.3g}', ok=ok, device=name)
        w_.writerow(rec); f.flush(); print(','.join(str(rec[c]) for c in cols), flush=True)
    row('merge_launch', timed(lambda: [gv(att(qkv, k, v, pos, cos, sin, mask, 0.125).reshape(1, -1), w, res=r) for k, v, w in zip(kc, vc, W)], dev, a.reps), ref)
    for rows in ([16] if a.quick else [int(x) for x in a.merge_rows.split(',')]):
        row('gemv_merge', timed(lambda: [gv.merge(*part(qkv, k, v, pos, cos, sin, mask, 0.125), w, res=r, rows=rows) for k, v, w in zip(kc, vc, W)], dev, a.reps),
            gv.merge(*part(qkv, kc[0], vc[0], pos, cos, sin, mask, 0.125), W[0], res=r, rows=rows), rows)
    return bad


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', required=True, help='CSV to write (a row per setting, written as it is measured)')
    p.add_argument('--device', default='cuda'); p.add_argument('--dtype', default='bfloat16', choices=['bfloat16', 'float32'])
    p.add_argument('--bn', default='1,2,4,8,16', help='rows per program to try (default 1,2,4,8,16)')
    p.add_argument('--warps', default='2,4,8', help='warps to try (default 2,4,8)')
    p.add_argument('--reps', type=int, default=200, help='graph replays timed (default 200)')
    p.add_argument('--quick', action='store_true', help='small shapes and two settings (a check of the script)')
    p.add_argument('--merge', action='store_true', help="also time a layer's attention + output projection: the merge launch then the GEMV, "
                   "against merge='gemv' (the partials merged by the projection, `gemv.merge`) at each --merge-rows (rows 'attn+o')")
    p.add_argument('--merge-rows', default='4,8,16,32,64', help='rows per program of gemv.merge to try (default 4,8,16,32,64)')
    p.add_argument('--context', type=int, default=8192, help='cache slots of the --merge rows (default 8192)')
    a = p.parse_args(argv)
    dev, dt = torch.device(a.device), getattr(torch, a.dtype)
    import triton
    from torch._library.custom_ops import OPDEFS
    gv = load_triton_gemv()
    kern = inspect.getclosurevars(OPDEFS['icmos::gemv']._init_fn).nonlocals['_gemv']
    shapes = {'tiny': (40, 96, 'norm'), 'tiny_down': (24, 80, 'glu+res')} if a.quick else SHAPES
    bns, warps = ([1, 2], [4]) if a.quick else ([int(x) for x in a.bn.split(',')], [int(x) for x in a.warps.split(',')])
    g = torch.Generator().manual_seed(0)
    cols = ['shape', 'N', 'K', 'fused', 'impl', 'BN', 'BK', 'warps', 'us_per_call', 'max_err', 'ok', 'device']
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu'
    bad = 0
    with open(a.out, 'w', newline='') as f:
        w_ = csv.DictWriter(f, fieldnames=cols); w_.writeheader()
        for shape, (N, K, fused) in shapes.items():
            Kx = 2 * K if fused == 'glu+res' else K
            W = [(torch.randn(N, K, generator=g) / K ** 0.5).to(dev, dt) for _ in range(30)]
            x, nw, r = (t.to(dev, dt) for t in (torch.randn(1, Kx, generator=g), torch.rand(K, generator=g) + 0.5, torch.randn(1, N, generator=g)))
            norm, glu, res = (nw if fused == 'norm' else None), fused == 'glu+res', (r if 'res' in fused else None)
            f32 = lambda t: t.float()
            xin = f32(_rms(x, nw, 1e-5)) if norm is not None else f32(F.silu(x[:, :K]) * x[:, K:]) if glu else f32(x)
            ref = xin @ f32(W[0]).T + (f32(r) if res is not None else 0)
            tol = (1e-5 if dt == torch.float32 else 2e-2) * float(ref.abs().max()) + 1e-6
            def row(impl, us, out, BN='', BK='', wp=''):
                nonlocal bad
                err = float((out.float() - ref).abs().max()); ok = err <= tol; bad += not ok
                rec = dict(shape=shape, N=N, K=K, fused=fused, impl=impl, BN=BN, BK=BK, warps=wp, us_per_call=f'{us:.3f}', max_err=f'{err:.3g}', ok=ok, device=name)
                w_.writerow(rec); f.flush(); print(','.join(str(rec[c]) for c in cols), flush=True)
            # torch: the matmul alone (cuBLAS), and the ops the fused kernel replaces
            out = {}
            def torch_alone(): out['y'] = F.linear(x[:, :K], W[0]); [F.linear(x[:, :K], w) for w in W[1:]]
            def torch_ops():
                for w in W:
                    h = _rms(x, nw, 1e-5) if norm is not None else F.silu(x[:, :K]) * x[:, K:] if glu else x
                    y = F.linear(h, w); out.setdefault('u', y if res is None else r + y)
                    if res is not None: y = r + y
            torch_alone(); row('torch_linear', timed(torch_alone, dev, a.reps), F.linear(xin.to(dt), W[0]) + (r if res is not None else 0))
            out.clear(); torch_ops(); row('torch_ops', timed(torch_ops, dev, a.reps), out['u'])
            row('gemv_default', timed(lambda: [gv(x, w, norm, 1e-5, glu, res) for w in W], dev, a.reps), gv(x, W[0], norm, 1e-5, glu, res),
                *gemv_config(N, K))
            BK = gemv_config(N, K)[1]
            for BN in bns:
                for wp in warps:
                    y = torch.empty((1, N), device=dev, dtype=dt)
                    def launch(w, y=y, BN=BN, wp=wp):
                        kern[(triton.cdiv(N, BN),)](x, w, norm if norm is not None else x, res if res is not None else y, y, N, K, w.stride(0), 1e-5,
                                                    x, 1, 1, BN=BN, BK=BK, NORM=norm is not None, GLU=glu, RES=res is not None, ATT=False, BS=1, BG=1,
                                                    num_warps=wp)
                    try:
                        launch(W[0]); first = y.clone()
                        row('gemv', timed(lambda: [launch(w) for w in W], dev, a.reps), first, BN, BK, wp)
                    except Exception as e:
                        print(f'{shape} BN={BN} warps={wp}: {type(e).__name__}: {str(e)[:200]}', flush=True)
        if a.merge: bad += merge_sweep(a, dev, dt, gv, w_, f, cols, name)
    print('all outputs within tolerance' if not bad else f'{bad} settings outside tolerance')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
