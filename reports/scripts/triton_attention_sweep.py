"""Issue 13: launch settings of the Triton flash-decoding attention (`icmos.core.load_triton_attention`), timed alone.

In the compiled decode step at 8K (session 26, `reports/results/session26_2026-11-29/`) the Triton program took 5.4 us per layer to read
its layer's 6.4 MB of cache, ~1.2 TB/s, a quarter of the H200's bandwidth. This sweeps chunks (`splits`), tile (`block`), `warps` and
`stages`: for each setting, 30 calls (one per layer, each on its own K/V, so the cache does not sit in L2) are captured in one CUDA
graph and replayed; the row is microseconds per call of the op alone (`us_op`: with `--merges torch` the partial outputs only, with
`triton` or `fused` the whole op) and of the whole attention function with its merge, run eagerly (`us_fn`; in the compiled step
inductor fuses torch's merge). Session 27 ran it on an H200 (`reports/results/session27_2026-11-30/`). Each setting is first checked
against SDPA (bfloat16 tolerance). Reference rows: SDPA and `splitk_attention` (32 chunks), both eager, in the same graphs.

  python reports/scripts/triton_attention_sweep.py --out sweep.csv                          # the GPU, 54 settings x 2 lengths (~30 s on an H200)
  TRITON_INTERPRET=1 python reports/scripts/triton_attention_sweep.py --device cpu --lengths 300 --splits 4 --blocks 32 --warps 4 --stages 0 --out /tmp/s.csv   # CPU check
"""
import argparse, csv, itertools, math, sys, time
from pathlib import Path

import torch
import torch.nn.functional as F

from icmos.core import load_triton_attention, sdpa_attention, split_list, splitk_attention


def graph_us(fn, reps: int, dev) -> float:
    "Microseconds per call of `fn` (which makes `calls` calls), replayed from one CUDA graph; eager wall time on the CPU."
    if dev.type != 'cuda':
        t = time.perf_counter(); fn(); return (time.perf_counter() - t) * 1e6
    s = torch.cuda.Stream(dev); s.wait_stream(torch.cuda.current_stream(dev))
    with torch.cuda.stream(s): fn()                                          # warm-up (Triton compiles here)
    torch.cuda.current_stream(dev).wait_stream(s); torch.cuda.synchronize(dev)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g): fn()
    for _ in range(3): g.replay()
    torch.cuda.synchronize(dev); a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(reps): g.replay()
    b.record(); torch.cuda.synchronize(dev)
    return a.elapsed_time(b) * 1e3 / reps


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', required=True); p.add_argument('--device', default='cuda'); p.add_argument('--dtype', default='bfloat16')
    p.add_argument('--lengths', default='8320,1024', help='cache slots L (the filled ones: L - 64)')
    p.add_argument("--splits", default="32,64,128"); p.add_argument("--blocks", default="32,64")
    p.add_argument("--warps", default="2,4,8"); p.add_argument("--stages", default="0,2,3", help="0 = Triton default")
    p.add_argument('--merges', default='torch', help="chunk merges (load_triton_attention's merge): torch, triton, fused (session 27)")
    p.add_argument('--layers', type=int, default=30); p.add_argument('--reps', type=int, default=50)
    a = p.parse_args(argv)
    dev, dt = torch.device(a.device), getattr(torch, a.dtype)
    g = torch.Generator().manual_seed(0); rows = []
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    cols = ['kernel', 'L', 'splits', 'block', 'warps', 'stages', 'us_op', 'us_fn', 'max_err', 'tol', 'ok', 'device']
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu'
    with open(out, 'w', newline='') as f:
        w = csv.DictWriter(f, cols); w.writeheader()
        for L in split_list(a.lengths, int):
            q = torch.randn(1, 3, 3, 64, generator=g).to(dev, dt)
            kv = [(torch.randn(1, 3, L, 64, generator=g).to(dev, dt), torch.randn(1, 3, L, 64, generator=g).to(dev, dt)) for _ in range(a.layers)]
            mask = torch.zeros(1, 1, 1, L, device=dev, dtype=dt); mask[..., L - 64:] = torch.finfo(dt).min
            ref = F.scaled_dot_product_attention(q.float(), kv[0][0].float(), kv[0][1].float(), attn_mask=mask.float(), scale=0.125)
            tol = (2e-2 if dt != torch.float32 else 2e-5) * float(ref.abs().max()) + 1e-3
            o = torch.empty_like(q)
            def row(kernel, fn_all, write=True, **k):
                r = dict(kernel=kernel, L=L, device=name, **k)
                err = float((fn_all(check=True).float() - ref).abs().max())
                r.update(max_err=f'{err:.3g}', tol=f'{tol:.3g}', ok=err <= tol)
                r['us_fn'] = round(graph_us(lambda: fn_all(), a.reps, dev) / a.layers, 2)
                if write: w.writerow({c: r.get(c, '') for c in cols}); f.flush(); print(r, file=sys.stderr, flush=True)
                return r
            def all_layers(att):
                def run(check=False):
                    if check: return att(q, *kv[0], mask, 0.125)
                    for k, v in kv: o.copy_(att(q, k, v, mask, 0.125))
                return run
            row('sdpa', all_layers(sdpa_attention)); row('splitk32_eager', all_layers(lambda *x: splitk_attention(*x, splits=32)), splits=32)
            for S, B, W, st, M in itertools.product(*(split_list(x, int) for x in (a.splits, a.blocks, a.warps, a.stages)), split_list(a.merges)):
                kernel = 'triton' if M == 'torch' else f'triton_{M}'  # us_op: the partials op (torch merge), else the whole op
                try:
                    att = load_triton_attention(S, block=B, warps=W, stages=st, merge=M)
                    r = row(kernel, all_layers(att), write=False, splits=S, block=B, warps=W, stages=st)
                    fd = {'torch': torch.ops.icmos.flash_decode, 'triton': torch.ops.icmos.flash_decode_merged, 'fused': torch.ops.icmos.flash_decode_fused}[M]
                    op = lambda: [fd(q, k, v, mask.reshape(-1), 0.125, S, B, W, st) for k, v in kv]
                    r['us_op'] = round(graph_us(op, a.reps, dev) / a.layers, 2)
                    w.writerow({c: r.get(c, '') for c in cols}); f.flush(); print(r, file=sys.stderr, flush=True)
                except Exception as e:  # a setting Triton cannot compile (shared memory, registers): a row that says so
                    print(f'S={S} block={B} warps={W} stages={st} merge={M}: {type(e).__name__}: {str(e)[:200]}', file=sys.stderr)
                    w.writerow({'kernel': kernel, 'L': L, 'splits': S, 'block': B, 'warps': W, 'stages': st, 'ok': f'failed: {type(e).__name__}', 'device': name}); f.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
