"""Issue 13: greedy decode tok/s of a FusedLlama-style step with four attention kernels, in one process on one device.

At 8K context, batch 1, the model has 3 KV heads: a flash kernel that gives each (batch, head) one block of work
leaves most of an H100's 132 SMs idle, and the compiled `FusedLlama` decodes at ~210 tok/s (625 at 1K). This script
swaps only the attention of that step (`FusedLlama(model, attention=...)`: weights, RoPE, cache layout and the rest of
the layer are the package's):

  sdpa      F.scaled_dot_product_attention with the additive mask over all L slots (= icmos.core.FusedLlama)
  matmul    scores = q @ K^T, + mask, softmax in float32, @ V: inductor fuses the softmax (gpt-fast decodes like this)
  splitkS   flash-decoding by hand: the L slots in S chunks, a max-subtracted partial softmax and output per chunk,
            combined with log-sum-exp weights; plain torch ops, so torch.compile fuses them
  flex      torch.nn.attention.flex_attention with a score_mod adding the mask; compiled, inductor picks its
            flex-decoding kernel (it splits the KV sequence itself) for queries shorter than 128
  tritonS   icmos.core.load_triton_attention(S, merge='torch'): split-K as one Triton kernel per layer (scores, online softmax and
            the value product of a chunk in one program; session 26), the chunks merged in torch ops
  tritonmS  the same, the chunks merged by a second Triton kernel (merge='triton'; session 27)
  tritonfS  the same in one kernel: the head's last program merges (merge='fused', an atomic counter per head; session 27)
  tritoncS  as tritonmS, with the step's RoPE and K/V cache write inside the attention kernel (write=True; session 27)
            (any triton variant may end in wW, the launch's warps: tritonf128w2)
  VARIANT+M[+M...]  that variant with the named matmuls (of icmos.core.OPAQUE: qkv, o, gate_up, down, head) as the opaque custom op
            icmos::opaque_linear (cuBLAS), out of inductor's reach: tritonc64+head (session 28)
  VARIANT+gemv  every matmul as icmos.core.load_triton_gemv's one launch with the norm, SwiGLU and residual fused in: with tritoncS
            a layer is 6 launches (session 28)
  tritongS+gemv  as tritoncS+gemv, but the attention returns its chunks' partials and the output projection's GEMV merges them
            (merge='gemv', `gemv.merge`): 5 launches a layer (session 29); tritongSrR+gemv: R rows per merge program (default 16)
  VARIANT+gemv+torchtail  the step's argmax and bookkeeping in _Step's torch ops (~9 kernels) instead of the Triton step tail
            (load_triton_gemv's step_tail, two launches; session 29)

Each variant is compiled (`dynamic=False`, fullgraph), its step captured in a CUDA graph (as icmos.core.GraphDecoder
does), warmed up and timed; kernels per step and the GPU busy share come from torch.profiler (icmos.bench_speed.gpu_profile).
Baselines measured in the same run: transformers `generate` with a DynamicCache (eager), and icmos's
`fast_greedy_decode` (the model's own forward on a StaticCache, one CUDA graph, not compiled).
Correctness: each variant's first `--check-steps` greedy tokens and its step-1 logits against the eager FusedLlama.

Shapes: b batch, hk KV heads, g query heads per KV head, L cache slots, d head dim, S splits, C slots per split.

  python reports/scripts/decode_variants.py --device cuda --out DIR          # DIR/decode_variants.csv + .json
  python reports/scripts/decode_variants.py --device cpu --dtype float32 --contexts 256 --steps 8 --no-compile --out /tmp/dv
  python reports/scripts/decode_variants.py --selftest                       # split-K == SDPA on random tensors
"""
from __future__ import annotations
import argparse, csv, json, math, re, sys, time, traceback, warnings
from math import lcm
from pathlib import Path

import torch
import torch.nn.functional as F

from functools import partial

from icmos.core import (ICMOSConfig, OPAQUE, FusedLlama, _rope, GraphDecoder, _FusedStep, fast_greedy_decode, fused_unsupported, greedy_decode,
                        load_model, load_triton_attention, load_triton_gemv, prefill, sdpa_attention, split_list, splitk_attention)
from icmos.bench_speed import COLUMNS, _device_name, _generate, gpu_profile, prompt_ids
from icmos.eval import parse_lengths

# ---------------------------------------------------------------- attention kernels
# All take q (b, hk, g, d) -- the g query heads of a KV head ride as its rows, as in FusedLlama --, k and v
# (b, hk, L, d), an additive mask (1, 1, 1, L) (0 = valid, a large negative = empty slot), and return (b, hk, g, d).

attn_sdpa = sdpa_attention  # FusedLlama's own attention (icmos.core)

def attn_matmul(q, k, v, mask, scale, **_):
    "Attention as two matmuls (in the model dtype) around a float32 softmax."
    s = torch.matmul(q, k.mT).float() * scale + mask.float()        # (b, hk, g, L)
    return torch.matmul(s.softmax(-1).to(v.dtype), v)

def _lse_combine(m, l, o):
    "Merge per-split softmax pieces: m (.., S, 1) max score, l (.., S, 1) sum of exp(s - m), o (.., S, d) sum of exp(s - m) v."
    w = torch.exp(m - m.amax(-2, keepdim=True))                      # each split's share, rescaled to the global max
    return (w * o).sum(-2) / (w * l).sum(-2)

def _naive_combine(m, l, o):
    "A wrong combine (the splits' maxima ignored), kept only as the selftest's negative control."
    return o.sum(-2) / l.sum(-2)

def attn_splitk(q, k, v, mask, scale, splits: int = 32, form: str = 'bmm', combine=_lse_combine, **_):
    """Flash-decoding in torch ops: the L slots in `splits` chunks of C = ceil(L / splits) (the tail padded with empty
    slots), per chunk its max score m, the sum l of exp(s - m) and the partial output sum exp(s - m) v, then `combine`.
    form 'bmm': the two products as batched matmuls in the model dtype; 'sum': broadcast products summed in float32
    (inductor writes them as reductions, no matmul library call)."""
    if form == 'bmm' and combine is _lse_combine: return splitk_attention(q, k, v, mask, scale, splits)  # the package's
    b, hk, g, d = q.shape; L = k.shape[2]
    C = -(-L // splits); pad = C * splits - L
    mask = mask.float().clamp_min(torch.finfo(torch.float32).min)  # -inf would make a fully empty chunk NaN
    if pad:
        k, v = F.pad(k, (0, 0, 0, pad)), F.pad(v, (0, 0, 0, pad))
        mask = F.pad(mask, (0, pad), value=torch.finfo(torch.float32).min)
    vc = v.view(b, hk, splits, C, d)
    if form == 'bmm': s = torch.matmul(q, k.mT).float()                                   # (b, hk, g, S*C)
    else: s = (q.float()[:, :, :, None, :] * k.float()[:, :, None, :, :]).sum(-1)
    s = (s * scale + mask.view(1, 1, 1, -1)).view(b, hk, g, splits, C)
    m = s.amax(-1, keepdim=True)                                                          # (b, hk, g, S, 1)
    p = torch.exp(s - m)
    l = p.sum(-1, keepdim=True)
    if form == 'bmm': o = torch.einsum('bhgsc,bhscd->bhgsd', p.to(v.dtype), vc).float()  # (b, hk, g, S, d)
    else: o = (p[..., None] * vc.float()[:, :, None]).sum(-2)
    return combine(m, l, o).to(q.dtype)

def attn_flex(q, k, v, mask, scale, **_):
    """flex_attention with the mask added by a score_mod. The g rows of a KV head go in as g query positions (not
    `enable_gqa`): inductor's flex-decoding kernel needs a power-of-two head ratio, and SmolLM2 has 9 / 3."""
    from torch.nn.attention.flex_attention import flex_attention
    mv = mask.view(-1)
    return flex_attention(q, k, v, score_mod=lambda s, b, h, qi, ki: s + mv[ki].to(s.dtype), scale=scale)

def attn_triton(q, k, v, mask, scale, splits: int = 64, merge: str = 'torch', warps: int = 4, **_):
    "The Triton flash-decoding kernel (icmos.core.load_triton_attention; measure_variant registers its ops before compiling)."
    return load_triton_attention(splits, warps=warps, merge=merge)(q, k, v, mask, scale)

ATTENTION = {'sdpa': attn_sdpa, 'matmul': attn_matmul, 'splitk': attn_splitk, 'flex': attn_flex, 'triton': attn_triton}

def parse_variant(name: str) -> tuple[str, dict]:
    "'splitk32' -> ('splitk', {'splits': 32}); 'triton64' -> ('triton', {'splits': 64}); 'tritonf128w2' -> ('triton', {'splits': 128, 'merge': 'fused', 'warps': 2}); 'sdpa' -> ('sdpa', {}); 'sdpa+head' -> ('sdpa', {'opaque': ('head',)})."
    if name.endswith('+torchtail'):  # the step's argmax and bookkeeping in torch ops (_Step's own), not load_triton_gemv's step_tail
        attn, kw = parse_variant(name[:-len('+torchtail')])
        if not kw.get('gemv'): raise SystemExit(f'--variants: {name!r}: +torchtail applies to a +gemv variant (the others have no Triton tail)')
        return attn, {**kw, 'torch_tail': True}
    if '+' in name:
        base, *opq = name.split('+')
        if opq != ['gemv'] and (bad := [o for o in opq if o not in OPAQUE]):
            raise SystemExit(f'--variants: {name!r}: after + come matmuls of {", ".join(OPAQUE)}, or gemv alone (got {", ".join(bad)})')
        attn, kw = parse_variant(base)
        if kw.get('merge') == 'gemv' and opq != ['gemv']: raise SystemExit(f'--variants: {name!r}: tritongS hands its partials to the GEMV: give it as tritongS+gemv')
        return attn, {**kw, **({'gemv': True} if opq == ['gemv'] else {'opaque': tuple(opq)})}
    m = re.fullmatch(r'triton([mfcg])?(\d+)(?:w(\d+))?(?:r(\d+))?', name)
    if m and (m.group(1) or m.group(3)):
        if m.group(4) and m.group(1) != 'g': raise SystemExit(f'--variants: {name!r}: rR (rows per merge program) belongs to tritongS only')
        if int(m.group(2)) < 1 or (m.group(3) and int(m.group(3)) not in (1, 2, 4, 8, 16)):
            raise SystemExit(f'--variants: {name!r}: S must be >= 1 and W one of 1, 2, 4, 8, 16')
        return 'triton', {'splits': int(m.group(2)), 'merge': {'m': 'triton', 'c': 'triton', 'f': 'fused', 'g': 'gemv', None: 'torch'}[m.group(1)], 'warps': int(m.group(3) or 4),
                          **({'write': True} if m.group(1) in 'cg' else {}), **({'merge_rows': int(m.group(4))} if m.group(4) else {})}
    for base in ('splitk', 'triton'):
        if name.startswith(base) and name != base:
            try: S = int(name[len(base):])
            except ValueError: raise SystemExit(f'--variants: {name!r}: give {base} as {base}S with S an integer, e.g. {base}32') from None
            if S < 1: raise SystemExit(f'--variants: {name!r}: S must be >= 1')
            return base, {'splits': S}
    if name == 'triton': return 'triton', {'splits': 64}
    if name not in ATTENTION: raise SystemExit(f'--variants: {name!r} is not one of {", ".join(ATTENTION)} (split-K as splitkS, Triton as tritonS)')
    return name, {}

# ---------------------------------------------------------------- the decode step

def _sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def top_kernels(fn, steps: int, k: int = 12) -> dict:
    "Kernels of `steps` calls of `fn` under torch.profiler, grouped by name: the k with the most GPU time, as launches and microseconds per step."
    import tempfile
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CUDA]) as prof: fn(); torch.cuda.synchronize()
    with tempfile.TemporaryDirectory() as d:
        prof.export_chrome_trace(f'{d}/t.json'); ev = json.loads(Path(f'{d}/t.json').read_text())['traceEvents']
    by = {}
    for e in ev:
        if e.get('cat') == 'kernel' and 'dur' in e:
            c, t = by.get(e['name'], (0, 0.0)); by[e['name']] = (c + 1, t + e['dur'])
    tot = sum(t for _, t in by.values())
    top = sorted(by.items(), key=lambda x: -x[1][1])[:k]
    return {'kernel_us_per_step': tot / steps, 'top': [{'name': n[:120], 'per_step': c / steps, 'us_per_step': round(t / steps, 2)} for n, (c, t) in top]}

def same_prefix(a: list, b: list) -> int:
    "Tokens in common before the first difference."
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))

# ---------------------------------------------------------------- measurements

def eager_reference(model, cache, logits, check_steps: int) -> dict:
    "Greedy tokens and step-1 logits of icmos's eager FusedLlama (no graph, no compile)."
    d = GraphDecoder(model, cache, logits, check_steps, graph=False, kernel='fused')
    d.advance(1); l1 = d.step.logits.float().clone()
    d.advance(check_steps)
    return {'tokens': d.tokens(), 'logits1': l1}

def check(tokens: list, logits1: torch.Tensor, ref: dict, rtol: float) -> dict:
    "Common prefix with the reference tokens and the step-1 logit difference; ok = within rtol x max |reference logit|."
    r = ref['logits1']
    diff, tol = float((logits1.float() - r).abs().max()), rtol * float(r.abs().max())
    return {'same_prefix': same_prefix(tokens, ref['tokens']), 'check_tokens': len(ref['tokens']),
            'step1_max_abs_logit_diff': diff, 'tol': tol, 'step1_argmax_equal': int(logits1.argmax()) == int(r.argmax()),
            'ok': diff <= tol}

def measure_generate(model, ids, k: int, profile_steps: int) -> dict:
    "transformers generate (eager, DynamicCache): k decode steps = generate(k+1) less generate(1); GPU share of greedy_decode steps."
    dev = model.device
    _generate(model, ids, 2); _sync(dev)
    def t(m):
        t0 = time.perf_counter(); g = _generate(model, ids, m); _sync(dev); return time.perf_counter() - t0, g
    t1, _ = t(1); tk, g = t(k + 1)
    out = {'tok_s': k / max(tk - t1, 1e-9), 'steps': k, 'tokens': g.sequences[0, ids.shape[1]:].tolist()}
    if dev.type == 'cuda':
        lg, c = prefill(model, ids, chunk_size=ids.shape[1])  # greedy_decode appends to its cache: a fresh one
        out.update(gpu_profile(lambda: greedy_decode(model, c, lg, profile_steps + 1), profile_steps, dev))
    return out

def measure_hf_graph(model, cache, logits, steps: int, profile_steps: int) -> dict:
    "icmos `fast_greedy_decode(kernel='hf')`: the model's forward on a StaticCache in one CUDA graph (eager steps on a CPU)."
    dev, st = model.device, {}
    toks = fast_greedy_decode(model, cache, logits, steps + 1, stats=st, kernel='hf')
    loop_steps = st['steps'] - (1 if st['graph'] else 0)  # the capture runs one step before the loop
    out = {'tok_s': loop_steps / st['loop_s'], 'steps': loop_steps, 'setup_s': st['setup_s'], 'graph': st['graph'], 'tokens': toks}
    if dev.type == 'cuda':
        d = GraphDecoder(model, cache, logits, 2 * profile_steps + 8, kernel='hf')
        out.update(gpu_profile(lambda: d.advance(profile_steps), profile_steps, dev))
        out['kernels'] = top_kernels(lambda: d.advance(profile_steps), profile_steps)
        del d
    return out

def measure_variant(model, cache, logits, name: str, args, ref: dict) -> dict:
    "Compile, capture, warm up and time one variant; its profile and its check against the eager reference."
    dev = model.device; attn, kw = parse_variant(name)
    if attn == 'flex':
        try: from torch.nn.attention.flex_attention import flex_attention  # noqa: F401
        except ImportError as e: raise RuntimeError(f'torch {torch.__version__} has no flex_attention ({e})') from None
    if attn == 'splitk': kw['form'] = args.splitk_form
    n, first = int(cache.get_seq_length()), int(logits[0].argmax())
    prof_steps = args.profile_steps if dev.type == 'cuda' else 0
    total = max(1 + args.warmup + args.steps + 2 * prof_steps, args.check_steps)        # decode steps this variant runs
    L = -(-(n + total + 1) // args.slot_multiple) * args.slot_multiple             # every variant gets the same L
    if attn == 'triton':  # the package's function itself (its ops registered before the step is compiled; a write variant keeps its `writes_cache`)
        att = load_triton_attention(kw['splits'], warps=kw.get('warps', 4), merge=kw.get('merge', 'torch'), write=kw.get('write', False))
        if 'merge_rows' in kw: att.merge_rows = kw['merge_rows']  # gemv.merge's rows per program (FusedLlama reads the attribute; default 16)
    else: att = partial(ATTENTION[attn], **{k: v for k, v in kw.items() if k not in ('opaque', 'gemv')})
    mod = FusedLlama(model, attention=att, opaque=kw.get('opaque', ()), gemv=load_triton_gemv() if kw.get('gemv') else None)  # the package's fused step, this attention
    fn = torch.compile(mod, dynamic=False, fullgraph=True, mode=None if args.compile_mode == 'default' else args.compile_mode) if args.compile else mod
    step = _FusedStep(model, cache, n, first, total + 1, fused=mod, L=L); step.fn = fn
    if kw.get('torch_tail'): step.tail = None  # _Step's torch ops end the step (its slot opened at the step's start, as before session 29)
    out = {'attn': attn, **{k: v for k, v in kw.items()}, 'L': L, 'compiled': args.compile, 'compile_mode': args.compile_mode if args.compile else None}
    done, graph = 0, None
    with torch.no_grad():
        t0 = time.perf_counter()
        if dev.type == 'cuda':  # the first step (compiles) on a side stream, as GraphDecoder's capture does
            side, main = torch.cuda.Stream(dev), torch.cuda.current_stream(dev)
            side.wait_stream(main)
            with torch.cuda.stream(side): step()
            main.wait_stream(side)
        else: step()
        _sync(dev); out['first_step_s'] = time.perf_counter() - t0; done = 1
        out['compile_s'] = out['first_step_s'] if args.compile else None          # the first call compiles (one step's run included)
        logits1 = step.logits.float().clone()
        if dev.type == 'cuda' and not args.no_graph:
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph): step()
        _sync(dev); out['setup_s'] = time.perf_counter() - t0
        run = graph.replay if graph is not None else step
        for _ in range(args.warmup): run()
        done += args.warmup; _sync(dev)
        t1 = time.perf_counter()
        for _ in range(args.steps): run()
        _sync(dev); t2 = time.perf_counter(); done += args.steps
        out.update(tok_s=args.steps / (t2 - t1), steps=args.steps, graph=graph is not None)
        if prof_steps:
            out.update(gpu_profile(lambda: [run() for _ in range(prof_steps)], prof_steps, dev)); done += prof_steps
            out['kernels'] = top_kernels(lambda: [run() for _ in range(prof_steps)], prof_steps); done += prof_steps
        while done < args.check_steps - 1: run(); done += 1
        _sync(dev)
        toks = step.out[:args.check_steps].tolist()
    out['check'] = check(toks, logits1, ref, args.rtol)
    del graph, step
    if dev.type == 'cuda': torch.cuda.empty_cache()
    return out

# ---------------------------------------------------------------- output

class Results:
    "DIR/decode_variants.csv (speed.csv's columns), a row appended as soon as it is measured, and DIR/decode_variants.json, rewritten after each."
    def __init__(self, out_dir: str, rec: dict):
        self.dir = Path(out_dir); self.dir.mkdir(parents=True, exist_ok=True)
        self.csv, self.json, self.rec = self.dir / 'decode_variants.csv', self.dir / 'decode_variants.json', rec
        with open(self.csv, 'w', newline='') as f: csv.DictWriter(f, fieldnames=COLUMNS).writeheader()
        self.save()
    def row(self, **r):
        fmt = lambda k, v: ('' if math.isnan(v) else f'{v:.1f}' if k.endswith('tok_s') else f'{v:.3f}') if isinstance(v, float) else v
        with open(self.csv, 'a', newline='') as f: csv.DictWriter(f, fieldnames=COLUMNS).writerow({k: fmt(k, r[k]) for k in COLUMNS})
        print(','.join(str(fmt(k, r[k])) for k in COLUMNS), flush=True)
    def save(self):
        clean = lambda x: ({k: clean(v) for k, v in x.items()} if isinstance(x, dict) else [clean(v) for v in x] if isinstance(x, list)
                           else None if isinstance(x, float) and math.isnan(x) else x)
        self.json.write_text(json.dumps(clean(self.rec), indent=1) + '\n')

# ---------------------------------------------------------------- selftest

def selftest(device: str = 'cpu') -> int:
    """Split-K (both forms), matmul and flex attention equal F.scaled_dot_product_attention on random tensors whose
    valid length is not a multiple of the chunk and whose L the splits do not divide (also: one valid slot, a fully
    empty chunk, a -inf mask); a combine that ignores the splits' maxima must fail the same comparison."""
    dev = torch.device(device); g = torch.Generator().manual_seed(0); bad, worst, caught = [], {}, 0
    import importlib.util, os
    triton_ok = importlib.util.find_spec('triton') is not None and (dev.type == 'cuda' or os.environ.get('TRITON_INTERPRET') == '1')
    cases = [(1000, 777, 16), (1000, 777, 7), (1000, 1000, 48), (9, 5, 4), (300, 1, 32), (8192 + 64, 5000, 32)]
    for dtype, rtol in ((torch.float32, 2e-5), (torch.bfloat16, 2e-2)):
        if dev.type == 'cpu' and dtype == torch.bfloat16: rtol = 3e-2
        for L, n, S in cases:
            q, k, v = (torch.randn(sh, generator=g).mul(2).to(dev, dtype) for sh in ((1, 3, 3, 64), (1, 3, L, 64), (1, 3, L, 64)))
            for inf in (False, True):
                mask = torch.zeros(1, 1, 1, L, device=dev, dtype=dtype); mask[..., n:] = -math.inf if inf else torch.finfo(dtype).min
                ref = F.scaled_dot_product_attention(q.float(), k.float(), v.float(), attn_mask=mask.float(), scale=0.125)
                tol = rtol * float(ref.abs().max()) + (1e-6 if dtype == torch.float32 else 1e-3)
                outs = {f'splitk{S}/{form}': attn_splitk(q, k, v, mask, 0.125, splits=S, form=form) for form in ('bmm', 'sum')}
                outs['matmul'] = attn_matmul(q, k, v, mask, 0.125)
                if not inf: outs['flex'] = attn_flex(q, k, v, mask, 0.125)
                if triton_ok:
                    for mg in ('torch', 'triton', 'fused'): outs[f'triton{S}/{mg}'] = attn_triton(q, k, v, mask, 0.125, splits=S, merge=mg)
                    if not inf:  # write=True: RoPE of q and of a new key, written with a new value at slot n - 1, then attention
                        k1, v1 = (torch.randn(1, 3, 1, 64, generator=g).mul(2).to(dev, dtype) for _ in 'kv')
                        an = torch.randn(32, generator=g); c, s = (torch.cat([f(an), f(an)])[None].to(dev, dtype) for f in (torch.cos, torch.sin))
                        kr, vr = k.float().clone(), v.float().clone(); kr[:, :, n - 1] = _rope(k1.float(), c.float(), s.float())[:, :, 0]; vr[:, :, n - 1] = v1.float()[:, :, 0]
                        ref_w = F.scaled_dot_product_attention(_rope(q.float(), c.float(), s.float()), kr, vr, attn_mask=mask.float(), scale=0.125)
                        kw, vw = k.clone(), v.clone()
                        qkv = torch.cat([q.flatten(), k1.flatten(), v1.flatten()])[None]
                        ow = load_triton_attention(S, write=True)(qkv, kw, vw, torch.tensor([n - 1], device=dev), c, s, mask, 0.125)
                        if S <= 128:  # merge='gemv': the partials merged by the output projection, against the merged output's product
                            kg, vg = k.clone(), v.clone(); wo = (torch.randn(576, 576, generator=g) / 24).to(dev, dtype)
                            og = load_triton_gemv().merge(*load_triton_attention(S, write=True, merge='gemv')(qkv, kg, vg, torch.tensor([n - 1], device=dev), c, s, mask, 0.125), wo)
                            ref_g = ref_w.to(dtype).float().reshape(1, -1) @ wo.float().T
                            err = float((og.float() - ref_g).abs().max()); tw = rtol * float(ref_g.abs().max()) + (1e-6 if dtype == torch.float32 else 1e-3)
                            worst[f'write+gemv-merge {str(dtype)[6:]}'] = max(worst.get(f'write+gemv-merge {str(dtype)[6:]}', 0.0), err / tw)
                            if not err <= tw: bad.append(f'triton{S}/write+gemv-merge {dtype} L={L} n={n}: max err {err:.3g} > {tw:.3g}')
                            if not torch.equal(kg, kw): bad.append(f'triton{S}/write+gemv-merge {dtype} L={L} n={n}: the cache differs from write=True\'s')
                        for name, (o, r) in {f'triton{S}/write': (ow, ref_w), f'triton{S}/write-cache': (kw, kr)}.items():
                            err = float((o.float() - r).abs().max()); tw = rtol * float(r.abs().max()) + (1e-6 if dtype == torch.float32 else 1e-3)
                            worst[f'{name.split("/")[-1]} {str(dtype)[6:]}'] = max(worst.get(f'{name.split("/")[-1]} {str(dtype)[6:]}', 0.0), err / tw)
                            if not err <= tw: bad.append(f'{name} {dtype} L={L} n={n}: max err {err:.3g} > {tw:.3g}')
                for name, o in outs.items():
                    err = float((o.float() - ref).abs().max())
                    key = f"{'splitk-' + name.split('/')[-1] if name.startswith('splitk') else 'triton-' + name.split('/')[-1] if name.startswith('triton') else name} {str(dtype)[6:]}"
                    worst[key] = max(worst.get(key, 0.0), err / tol)
                    if not err <= tol: bad.append(f'{name} {dtype} L={L} n={n} inf={inf}: max err {err:.3g} > {tol:.3g}')
                if dtype == torch.float32 and n < L and not inf:  # the negative control: must be caught
                    err = float((attn_splitk(q, k, v, mask, 0.125, splits=S, combine=_naive_combine).float() - ref).abs().max())
                    if err <= tol: bad.append(f'negative control: the naive combine passed L={L} n={n} S={S} (err {err:.3g})')
                    else: caught += 1
    if triton_ok:  # the Triton GEMV (norm, SwiGLU, residual) against torch in float32 products, at SmolLM2's shapes and an odd one
        from icmos.core import _rms
        gv = load_triton_gemv()
        for dtype, rtol in ((torch.float32, 1e-5), (torch.bfloat16, 2e-2)):
            for N, K in ((960, 576), (576, 576), (3072, 576), (576, 1536), (49152, 576), (37, 5000), (1001, 96)):
                if dev.type == 'cpu' and N * K > 4e6: continue  # the interpreter
                w, x, nw, r = (t.to(dev, dtype) for t in (torch.randn(N, K, generator=g) / K ** 0.5, torch.randn(1, K, generator=g), torch.rand(K, generator=g) + 0.5, torch.randn(1, N, generator=g)))
                x2 = torch.randn(1, 2 * K, generator=g).to(dev, dtype)
                f = lambda t: t.float()
                for name, got, ref in (('gemv+norm', gv(x, w, nw, 1e-5), f(_rms(x, nw, 1e-5)) @ f(w).T),
                                       ('gemv+glu+res', gv(x2, w, glu=True, res=r), f(r) + f(F.silu(x2[:, :K]) * x2[:, K:]) @ f(w).T),
                                       ('gemv+res', gv(x, w, res=r), f(r) + f(x) @ f(w).T), ('rmsnorm', gv.rmsnorm(x, nw, 1e-5), f(_rms(x, nw, 1e-5)))):
                    err = float((got.float() - ref).abs().max()); tw = rtol * float(ref.abs().max()) + 1e-6
                    key = f'{name} {str(dtype)[6:]}'; worst[key] = max(worst.get(key, 0.0), err / tw)
                    if not err <= tw: bad.append(f'{name} {dtype} N={N} K={K}: max err {err:.3g} > {tw:.3g}')
    print(f'selftest on {dev}: {len(cases)} shapes x 2 dtypes x 2 mask kinds, splitk (bmm, sum), matmul, flex{", triton (3 merges; write=True: output and cache; GEMV)" if triton_ok else " (triton: not here)"} vs SDPA')
    print('  worst error / tolerance:', ', '.join(f'{k} {v:.2g}' for k, v in worst.items()))
    print(f'  negative control (combine without the max rescale) caught in {caught} of {caught + sum("negative" in b for b in bad)} cases')
    print('  PASS' if not bad else '  FAIL', *bad, sep='\n  ')
    return 1 if bad else 0

# ---------------------------------------------------------------- main

def args_parser():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default='reports/results/decode_variants', help='folder for decode_variants.csv and .json')
    p.add_argument('--contexts', default='8000,1000', help='context tokens (K = 1000); the first runs every variant, later ones the --top best of the first (default 8000,1000)')
    p.add_argument('--variants', default='sdpa,splitk,matmul,flex', help="sdpa, matmul, splitk (one per --splits) or splitkS, flex (default sdpa,splitk,matmul,flex)")
    p.add_argument('--splits', default='16,32', help='S for a bare "splitk" (default 16,32)')
    p.add_argument('--splitk-form', default='bmm', choices=['bmm', 'sum'], help="split-K products as batched matmuls (bmm) or float32 reductions (sum)")
    p.add_argument('--top', type=int, default=2, help='fused variants carried from the first context to the others, by tok/s among those that pass the check (0 = all; default 2)')
    p.add_argument('--steps', type=int, default=256, help='timed decode steps per row (default 256)')
    p.add_argument('--warmup', type=int, default=8, help='untimed graph replays before timing (default 8)')
    p.add_argument('--profile-steps', type=int, default=16, help='steps under torch.profiler for kernels/step and GPU share (default 16)')
    p.add_argument('--check-steps', type=int, default=64, help='greedy tokens compared with the eager FusedLlama (default 64)')
    p.add_argument('--baseline-steps', type=int, default=64, help='decode steps timed for the generate baseline (default 64)')
    p.add_argument('--device', default='auto', help="auto, cpu, cuda, cuda:N")
    p.add_argument('--dtype', default='bfloat16', help='model dtype (default bfloat16; float32 for the CPU check)')
    p.add_argument('--model', default=None, help='model (default: ICMOS_MODEL, else the embedded SmolLM2)')
    p.add_argument('--no-compile', dest='compile', action='store_false', help='run the variants eagerly (CPU checks)')
    p.add_argument('--no-graph', action='store_true', help='no CUDA-graph capture (launch every kernel)')
    p.add_argument('--compile-mode', default='default', choices=['default', 'max-autotune-no-cudagraphs'],
                   help="inductor mode; the graph is captured by hand (modes with inductor's own cudagraphs skip steps that write caches passed as inputs)")
    p.add_argument('--coordinate-descent', action='store_true', help="inductor coordinate_descent_tuning, as gpt-fast sets it (longer compiles)")
    p.add_argument('--inductor', default='', help="extra torch._inductor.config settings, KEY=VALUE[,KEY=VALUE] (e.g. triton.cudagraphs=0); an unknown key is an error")
    p.add_argument('--tag', default='', help="suffix of every fused row's op name (decode_fused_<variant>_<tag>), so rows of other compile settings stay apart")
    p.add_argument('--slot-multiple', type=int, default=None, help='cache slots rounded up to a multiple of this (default lcm(128, every S))')
    p.add_argument('--rtol', type=float, default=None, help='step-1 logits tolerance as a share of max |logit| (default 1e-4 float32, 3e-2 bf16/fp16)')
    p.add_argument('--no-baselines', dest='baselines', action='store_false', help='skip the generate and fast_greedy_decode rows (baseline_tok_s then empty)')
    p.add_argument('--time-budget', type=float, default=420, help='seconds after model load past which no new variant starts (default 420)')
    p.add_argument('--selftest', action='store_true', help='only the split-K/matmul/flex vs SDPA unit check, then exit')
    return p

def main(argv=None) -> int:
    args = args_parser().parse_args(argv)
    warnings.filterwarnings('ignore', message='.*flex_attention called without torch.compile.*')
    if args.selftest: return selftest('cpu' if args.device == 'auto' else args.device)
    import transformers
    for name in ('recompile_limit', 'cache_size_limit'):  # one forward code object, compiled once per variant and context
        if hasattr(torch._dynamo.config, name): setattr(torch._dynamo.config, name, 64)
    if args.coordinate_descent: torch._inductor.config.coordinate_descent_tuning = True
    for kv in split_list(args.inductor):
        k, _, v = kv.partition('=')
        try: old = torch._inductor.config.__getattr__(k)
        except AttributeError: print(f'decode_variants: torch._inductor.config has no {k!r} in torch {torch.__version__}', file=sys.stderr); return 2
        if old is None: print(f'decode_variants: torch._inductor.config.{k} is None: no type to read {v!r} as', file=sys.stderr); return 2
        if isinstance(old, bool) and v.lower() not in ('0', '1', 'true', 'false'): print(f'decode_variants: {k} takes true/false (got {v!r})', file=sys.stderr); return 2
        try: setattr(torch._inductor.config, k, v.lower() in ('1', 'true') if isinstance(old, bool) else type(old)(v))
        except (TypeError, ValueError): print(f'decode_variants: {k}={v!r} is not a {type(old).__name__}', file=sys.stderr); return 2
    contexts = parse_lengths(args.contexts)
    variants = []
    for v in split_list(args.variants):
        variants += [f'splitk{S}' for S in split_list(args.splits, int)] if v == 'splitk' else [v]
    variants = list(dict.fromkeys(variants)); [parse_variant(v) for v in variants]
    Ss = [parse_variant(v)[1]['splits'] for v in variants if v.startswith('splitk')]
    args.slot_multiple = args.slot_multiple or lcm(128, *Ss)
    cfg = ICMOSConfig.from_env(device=None if args.device == 'auto' else args.device, dtype=args.dtype, model=args.model)
    model, tok = load_model(cfg)
    why = fused_unsupported(model)
    if why: print(f'decode_variants: FusedLlama cannot run this model: {why}', file=sys.stderr); return 2
    dev, dtype = model.device, str(model.dtype).removeprefix('torch.')
    if args.rtol is None: args.rtol = 1e-4 if model.dtype == torch.float32 else 3e-2
    T0 = time.perf_counter()
    rec = {'torch': torch.__version__, 'transformers': transformers.__version__, 'device': _device_name(dev), 'dtype': dtype,
           'args': vars(args), 'window': model.config.max_position_embeddings, 'contexts': {}}
    res = Results(args.out, rec)
    log = lambda *a: print('decode_variants:', f'[{time.perf_counter() - T0:.0f}s]', *a, file=sys.stderr, flush=True)
    for ci, n in enumerate(contexts):
        ids = prompt_ids(tok, n).to(dev)
        logits, cache = prefill(model, ids, chunk_size=ids.shape[1]); _sync(dev)
        R = rec['contexts'][str(n)] = {'variants': {}, 'skipped': {}}
        last = n + 2 + args.warmup + args.steps + 2 * args.profile_steps
        if last > model.config.max_position_embeddings:
            R['note'] = (f'the timed and profiled steps reach position {last}, past the model window '
                         f'{model.config.max_position_embeddings}: RoPE positions beyond it cost the same; the checked tokens stay inside')
        row = lambda op, r, base: res.row(component='core', op=op, context_tokens=n, batch=1, dtype=dtype, tok_s=r['tok_s'],
                                          baseline_tok_s=base, speedup=r['tok_s'] / base, gpu_util=r.get('gpu_util', math.nan), device=rec['device'])
        log(f'context {n}: eager FusedLlama reference ({args.check_steps} tokens)')
        ref = eager_reference(model, cache, logits, args.check_steps)
        R['reference'] = {'kind': f'icmos FusedLlama eager {dtype}', 'tokens': ref['tokens']}
        base = math.nan
        if args.baselines:
            log(f'context {n}: generate (DynamicCache, eager), {args.baseline_steps} steps')
            g = measure_generate(model, ids, args.baseline_steps, args.profile_steps)
            g['same_prefix_vs_reference'] = same_prefix(g.pop('tokens'), ref['tokens']); R['generate_dynamic'] = g; base = g['tok_s']
            row('decode_generate_dynamic', g, base); res.save()
            log(f'context {n}: fast_greedy_decode(kernel=hf)')
            h = measure_hf_graph(model, cache, logits, args.steps, args.profile_steps)
            h['same_prefix_vs_reference'] = same_prefix(h.pop('tokens'), ref['tokens']); R['hf_graph'] = h
            row('decode_hf_graph', h, base); res.save()
        if ci == 0 or args.top <= 0: todo = variants
        else:
            first = rec['contexts'][str(contexts[0])]['variants']
            ranked = sorted((v for v, r in first.items() if 'tok_s' in r and r['check']['ok']), key=lambda v: -first[v]['tok_s'])
            todo = ranked[:args.top]
            R['carried'] = f'the {args.top} fastest of context {contexts[0]} that passed the check: {todo}'
        for v in todo:
            if time.perf_counter() - T0 > args.time_budget:
                R['skipped'][v] = f'time budget: {args.time_budget:.0f} s spent before it started'; log(f'skip {v}: time budget'); res.save(); continue
            log(f'context {n}: {v} ({"compile" if args.compile else "eager"})')
            try: r = measure_variant(model, cache, logits, v, args, ref)
            except Exception as e:
                R['skipped'][v] = f'{type(e).__name__}: {str(e).strip().splitlines()[0][:400] if str(e).strip() else ""}'
                R['skipped'][v + '_trace'] = traceback.format_exc()[-3000:]
                log(f'{v} failed: {R["skipped"][v]}'); res.save()
                if dev.type == 'cuda': torch.cuda.empty_cache()
                continue
            R['variants'][v] = r
            log(f'{v}: {r["tok_s"]:.1f} tok/s, first step{" (compile)" if args.compile else ""} {r["first_step_s"]:.1f} s, kernels/step {r.get("kernels_per_step")}, check {r["check"]}')
            row(f'decode_fused_{v}' + (f'_{args.tag}' if args.tag else ''), r, base); res.save()
        del cache
    wrong = [f'{n}/{v}' for n, R in rec['contexts'].items() for v, r in R['variants'].items() if not r['check']['ok']]
    rec['wrong'] = wrong; rec['total_s'] = time.perf_counter() - T0; res.save()
    log(f'done in {rec["total_s"]:.0f} s; wrong: {wrong or "none"}; wrote {res.csv} and {res.json}')
    return 1 if wrong else 0

if __name__ == '__main__':
    sys.exit(main())
