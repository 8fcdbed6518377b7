#!/bin/bash
# Issue 13 on a GPU: the CUDA-graph checks (graph tokens == eager-step tokens, the fallback when a capture fails,
# `Method.answer` taking the fast path on CUDA in the default dtype) and `icmos bench speed` (decode at 1K/8K in
# bfloat16 and float32, prefill 8K, profiler snapshot). From the repo root, with PYTHONPATH holding icmos and gguf:
#   PYTHONPATH=$PWD:/tmp/site bash reports/scripts/speed_gpu.sh "$OUT"
# Writes RESULT_DIR/speed.csv, RESULT_DIR/speed_profile.json and RESULT_DIR/gpu_checks.txt; exits non-zero if a check fails.
# SPEED_PARTS picks the parts (default "checks main"): checks, main (the benchmark), compile (bfloat16 decode rows
# with the step fused by torch.compile -> RESULT_DIR/speed_compile.csv and speed_compile_profile.json).
# MAIN_FLAGS / COMPILE_FLAGS: more `icmos bench speed` flags for those parts; BENCH_TIMEOUT: seconds per bench (480).
set -u -o pipefail
R=${1:?usage: speed_gpu.sh RESULT_DIR [MODEL]}; M=${2:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf}
export ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 TQDM_DISABLE=1
mkdir -p "$R"
nvidia-smi --query-gpu=name,memory.used,memory.total,driver_version --format=csv,noheader
python3 -c 'import transformers, torch; print("transformers", transformers.__version__, "torch", torch.__version__)'
python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" || exit 2  # convert once

P=" ${SPEED_PARTS:-checks main} "; rc1=0; rc2=0; rc3=0
[[ $P == *" checks "* ]] && { python3 - "$M" <<'PY' 2>&1 | tee "$R/gpu_checks.txt"
import sys, warnings, torch
from icmos.core import ICMOSConfig, load_model, encode_prompt, prefill, greedy_decode, fast_greedy_decode, get_method
M = sys.argv[1]
cfg = ICMOSConfig(model=M, device='cuda', max_new_tokens=48)
gm, gt = load_model(cfg)
print('default dtype on cuda:', cfg.dtype, '->', gm.dtype)
ctx, q = 'Maria keeps the red bicycle in the garage. ' * 80, 'Where is the red bicycle kept?'
ids = encode_prompt(gt, ctx, q).ids()
run = lambda f, **kw: f(gm, *reversed(prefill(gm, ids)), 64, **kw)
st = {}
g, e, d = run(fast_greedy_decode, stats=st), run(fast_greedy_decode, graph=False), run(greedy_decode)
print(f'{ids.shape[1]}-token prompt, 64 tokens: graph={st["graph"]} graph==static-eager: {g == e}  graph==DynamicCache greedy_decode: {g == d}')
orig = torch.cuda.CUDAGraph
class Boom:
    def __init__(self, *a, **k): raise RuntimeError('simulated capture failure')
torch.cuda.CUDAGraph = Boom
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always'); st2 = {}; f = run(fast_greedy_decode, stats=st2)
torch.cuda.CUDAGraph = orig
print('capture failure -> eager:', f == e, 'graph', st2['graph'], '| warnings:', [str(x.message) for x in w])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    ans = get_method('full').answer(gm, gt, encode_prompt(gt, ctx, q), cfg)
print(f'full.answer on cuda: {ans.text!r} decode {ans.decode_tok_s:.0f} tok/s prefill {ans.prefill_tok_s:.0f} tok/s | warnings: {[str(x.message) for x in w]}')
from icmos.bench_speed import gpu_profile
a = torch.randn(2048, 2048, device='cuda'); pr = gpu_profile(lambda: [a @ a for _ in range(20)], 20)
print('gpu_profile of 20 matmuls:', pr)
ok = g == e and f == e and st['graph'] and not st2['graph'] and not w and pr['kernels_per_step'] >= 1 and 0 < pr['gpu_util'] <= 1
print('CHECKS', 'PASS' if ok else 'FAIL'); sys.exit(0 if ok else 1)
PY
rc1=$?; }
bench() { timeout ${BENCH_TIMEOUT:-480} python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench speed --model "$M" --device cuda "$@" 2>&1 | grep -v Warning; }
[[ $P == *" main "* ]] && { bench ${MAIN_FLAGS:-} --out "$R/speed.csv" --profile-out "$R/speed_profile.json"; rc2=$?; }
[[ $P == *" compile "* ]] && { bench ${COMPILE_FLAGS:-} --dtypes bfloat16 --compile --prefill-tokens 0 --out "$R/speed_compile.csv" --profile-out "$R/speed_compile_profile.json"; rc3=$?; }
echo "checks exit $rc1, bench exit $rc2, compile bench exit $rc3"; exit $(( rc1 || rc2 || rc3 ))
