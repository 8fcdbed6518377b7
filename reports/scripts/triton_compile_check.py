"""Compiles every path of `icmos.core.load_triton_attention`'s Triton kernel (partials; the merge launch; the fused merge; the
RoPE and cache write) and of `load_triton_gemv`'s (norm, SwiGLU, residual; at SmolLM2's shapes' launch settings) for a CUDA architecture on a machine without a GPU (Triton ships ptxas), so that a kernel that the CPU
interpreter runs but the compiler rejects fails here, not in a GPU session. Session 27's `write=True` path ran under the
interpreter and failed to compile on the H200 (a loop-carried variable reused with another type); this catches that.

  pip install --target /tmp/trsite triton      # once, beside the venv
  PYTHONPATH=/tmp/trsite:. python reports/scripts/triton_compile_check.py              # sm_90, bfloat16 and float32
"""
import argparse, inspect, sys

from icmos.core import gemv_config, load_triton_attention, load_triton_gemv


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--arch', type=int, default=90, help='CUDA compute capability x 10 (default 90: H100/H200)')
    p.add_argument('--dtypes', default='bf16,fp32', help='element types of q, k, v (default bf16,fp32)')
    a = p.parse_args(argv)
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    from torch._library.custom_ops import OPDEFS
    load_triton_attention(64)  # registers the ops; the kernel is a closure variable of the ops' `run`
    run = inspect.getclosurevars(OPDEFS['icmos::flash_decode']._init_fn).nonlocals['run']
    kernel = inspect.getclosurevars(run).nonlocals['_kernel']
    paths = {'partials': dict(MERGE=False, FUSE=False, CM='', WRITE=False), 'merge launch': dict(MERGE=True, FUSE=False, CM='', WRITE=False),
             'fused merge': dict(MERGE=False, FUSE=True, CM='.cg', WRITE=False), 'RoPE + cache write': dict(MERGE=False, FUSE=False, CM='', WRITE=True)}
    bad = 0
    for dt in a.dtypes.split(','):
        ptr = {n: f'*{dt}' for n in ('Q', 'K', 'V', 'M', 'OUT', 'KN', 'VN', 'COS', 'SIN')} | {'O': '*fp32', 'ML': '*fp32', 'CNT': '*i32', 'POS': '*i64', 'scale': 'fp32'}
        for name, mode in paths.items():
            const = dict(G=3, BG=16, D=64, BN=64, F32=False, PREC='ieee' if dt == 'fp32' else 'tf32', BS=64, **mode)
            sig = {n: ptr.get(n, 'i32') for n in kernel.arg_names if n not in const} | {n: 'constexpr' for n in const}
            try:
                k = triton.compile(ASTSource(fn=kernel, signature=sig, constexprs=const), target=GPUTarget('cuda', a.arch, 32), options=dict(num_warps=4))
                print(f'sm_{a.arch} {dt:5s} {name:20s} ok ({len(k.asm["cubin"]):,} bytes of cubin)')
            except Exception as e:
                bad += 1; print(f'sm_{a.arch} {dt:5s} {name:20s} FAILED: {type(e).__name__}: {str(e)[-600:]}')
    load_triton_gemv()
    gemv = inspect.getclosurevars(OPDEFS['icmos::gemv']._init_fn).nonlocals['_gemv']
    for dt in a.dtypes.split(','):
        for name, mode in {'norm': dict(NORM=True, GLU=False, RES=False, ATT=False), 'glu+res': dict(NORM=False, GLU=True, RES=True, ATT=False),
                           'res': dict(NORM=False, GLU=False, RES=True, ATT=False), 'merge': dict(NORM=False, GLU=False, RES=True, ATT=True),
                           'merge-nores': dict(NORM=False, GLU=False, RES=False, ATT=True)}.items():
            for N, K in ((960, 576), (576, 1536), (49152, 576), (37, 5000)) if not mode['ATT'] else ((576, 576),):
                BN, BK, warps = gemv_config(N, K) if not mode['ATT'] else (16, 64, 4)  # gemv.merge: a tile is one head (d = 64), 16 rows
                const = dict(BN=BN, BK=BK, BS=64 if mode['ATT'] else 1, BG=16 if mode['ATT'] else 1, **mode)
                fp = {'ML': '*fp32', 'X': '*fp32'} if mode['ATT'] else {'ML': f'*{dt}'}  # merge: X, ML the float32 partials (else ML is unused, given x)
                sig = {n: fp.get(n, f'*{dt}' if n in ('X', 'W', 'NW', 'R', 'Y') else 'fp32' if n == 'eps' else 'i32') for n in gemv.arg_names if n not in const} | {n: 'constexpr' for n in const}
                try:
                    k = triton.compile(ASTSource(fn=gemv, signature=sig, constexprs=const), target=GPUTarget('cuda', a.arch, 32), options=dict(num_warps=warps))
                    print(f'sm_{a.arch} {dt:5s} gemv {name:8s} N={N:<5d} K={K:<4d} BN={BN:<2d} BK={BK:<4d} warps={warps} ok ({len(k.asm["cubin"]):,} bytes of cubin)')
                except Exception as e:
                    bad += 1; print(f'sm_{a.arch} {dt:5s} gemv {name:8s} N={N} K={K} FAILED: {type(e).__name__}: {str(e)[-600:]}')
    cv = inspect.getclosurevars(OPDEFS['icmos::argmax_step']._init_fn).nonlocals  # the step tail's two kernels
    for dt in a.dtypes.split(','):
        for name, fn, sig, const, warps in (('argmax stage 1', cv['_amax1'], {'X': f'*{dt}', 'PV': '*fp32', 'PI': '*i32', 'V': 'i32'}, dict(BLOCK=1024), 4),
                                            ('argmax stage 2 + bookkeeping', cv['_amax2'], {'PV': '*fp32', 'PI': '*i32', 'P': 'i32', 'IDS': '*i64', 'OUT': '*i64', 'POS': '*i64',
                                                                                            'MASK': f'*{dt}', 'base': 'i32', 'L': 'i32', 'NOUT': 'i32'}, dict(BP=64, FILL=True), 1)):
            try:
                k = triton.compile(ASTSource(fn=fn, signature=sig | {c: 'constexpr' for c in const}, constexprs=const), target=GPUTarget('cuda', a.arch, 32), options=dict(num_warps=warps))
                print(f'sm_{a.arch} {dt:5s} {name} ok ({len(k.asm["cubin"]):,} bytes of cubin)')
            except Exception as e:
                bad += 1; print(f'sm_{a.arch} {dt:5s} {name} FAILED: {type(e).__name__}: {str(e)[-600:]}')
    rms = inspect.getclosurevars(OPDEFS['icmos::rmsnorm']._init_fn).nonlocals['_rmsnorm']
    for dt in a.dtypes.split(','):
        sig = {'X': f'*{dt}', 'NW': f'*{dt}', 'Y': f'*{dt}', 'K': 'i32', 'eps': 'fp32', 'BK': 'constexpr'}
        try:
            k = triton.compile(ASTSource(fn=rms, signature=sig, constexprs=dict(BK=1024)), target=GPUTarget('cuda', a.arch, 32), options=dict(num_warps=4))
            print(f'sm_{a.arch} {dt:5s} rmsnorm ok ({len(k.asm["cubin"]):,} bytes of cubin)')
        except Exception as e:
            bad += 1; print(f'sm_{a.arch} {dt:5s} rmsnorm FAILED: {type(e).__name__}: {str(e)[-600:]}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
