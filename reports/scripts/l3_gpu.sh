#!/bin/bash
# Issue 12: the L3 raw-KV tier (--kv-tier l3) and the lmkeys ranker on one GPU. One part per device call (each < 600 s),
# after the two staging calls of ../shared/gpu/stage-smollm2.sh (call 1 carry .gpu/a; call 2 carry .gpu/b .gpu/w:
# bash .gpu/b/assemble.sh), then with carry [.emb, .gpuw] (as runtime_gpu.sh):
#   bash reports/scripts/l3_gpu.sh check     # RoPE shift on the GPU: placed KV vs prefilled at p (float32 and bfloat16), ~1 min
#   bash reports/scripts/l3_gpu.sh read      # read-path latency, same sentences re-prefilled vs placed (l3_read_latency.py), ~5 min
#   bash reports/scripts/l3_gpu.sh bench     # accuracy + recall@4: icmos vs icmos[kv_tier=l3], lmkeys alone and fused, 8K-128K
#   bash reports/scripts/l3_gpu.sh bench1m   # the same at 1M (the tier at 21.5 GiB of host KV in bfloat16)
# Env: DEV, DT (a CPU dry run: DEV=cpu DT=float32 ICMOS_MODEL=<model>), N (samples per cell, default 20), LENS (default 8K,32K,128K), TASKS. Results go to $OUT/l3 (the run tool's folder);
# a cut bench keeps its rows (run the same part again: finished cells are skipped).
set -u -o pipefail
part=${1:?usage: l3_gpu.sh check|read|bench|bench1m}; R=${OUT:?set OUT}/l3; mkdir -p $R
export M=${ICMOS_MODEL:-/root/icmos-model/SmolLM2-135M-Instruct.Q4_1.gguf} DEV=${DEV:-cuda} DT=${DT:-bfloat16}
export ICMOS_MODEL=$M ICMOS_CACHE=${ICMOS_CACHE:-/root/icmos-cache} PYTHONUNBUFFERED=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1 JAX_PLATFORMS=cpu
if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; export ICMOS_EMBEDDER=/root/emb; fi
[ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ] && python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done
export PYTHONPATH=/tmp/site:$PWD
N=${N:-20}; LENS=${LENS:-8K,32K,128K}; TASKS=${TASKS:-niah_single,paraphrase,prose_needle,niah_multikey}
date -u; nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu'))" || exit 2  # GGUF -> cache, once
B() { python3 -c 'import sys; from icmos.cli import main; sys.exit(main())' bench runtime --model $M --device $DEV --dtype $DT \
        --max-new-tokens 40 --budget 2048 --no-progress "$@" 2>&1 | grep -v -e Warning -e '^ *warnings.warn'; }
case $part in
check) timeout 300 python3 - <<'PY' 2>&1 | grep -v Warning | tee $R/check.txt
import os, torch
from transformers import DynamicCache
from icmos.core import ICMOSConfig, load_model, cache_kw
from icmos.runtime import Memory, RuntimeConfig
from icmos.cli import passkey_document
for dt in ('float32', 'bfloat16'):
    cfg = ICMOSConfig(model=os.environ['ICMOS_MODEL'], device=os.environ['DEV'], dtype=dt, max_new_tokens=16)
    model, tok = load_model(cfg); text, q, key = passkey_document(3000, seed=1)
    m = Memory(RuntimeConfig(kv_tier='l3'), model, tok, cfg); m.write(text); U, L = m.units, model.config.num_hidden_layers
    worst = 0.0
    for b in m.blocks[:8]:
        own = [u for u in b.units if U.block[u] == b.id]; off = sum(len(U.ids[u]) for u in b.units[:b.units.index(own[0])])
        for p in (0, 37, 1500, 100_000):
            K, V = m.kv.place(own, p + off, model.device); c = DynamicCache()
            with torch.no_grad(): model(input_ids=torch.tensor([b.ids.tolist()], device=model.device), position_ids=torch.arange(p, p + len(b.ids), device=model.device)[None], **cache_kw(model, c), use_cache=True)
            rk = torch.stack([c.layers[l].keys[0] for l in range(L)])[:, :, off:]
            worst = max(worst, float((K.float() - rk.float()).abs().max() / rk.float().abs().max()))
    a = m.ask(q, budget=2048)
    print(f'{dt}: max |placed - prefilled at p| / max |K| = {worst:.2e} over 8 blocks x p in 0, 37, 1500, 100000; '
          f'answer {a.text!r} (key {key}), {m.tier_bytes()}')
PY
  ;;
read) timeout 560 python3 reports/scripts/l3_read_latency.py --device $DEV --dtype $DT --tasks niah_single,paraphrase,prose_needle \
        --lengths 32K,128K --n ${N_READ:-5} --reps 5 --out $R/runtime_l3_read.csv 2>&1 | grep -v Warning | tail -40;;
bench) timeout 580 bash -c "$(declare -f B); B --methods 'icmos,icmos[kv_tier=l3],icmos[rankers=lmkeys],icmos[rankers=bm25+minilm+lmkeys]' \
        --tasks $TASKS --lengths $LENS --n $N --time-limit 520 --out $R/runtime_l3.csv --samples-out $R/runtime_l3_samples.jsonl";;
bench1m) timeout 580 bash -c "$(declare -f B); B --methods 'icmos,icmos[kv_tier=l3;kv_max_gb=32],icmos[rankers=bm25+minilm+lmkeys]' \
        --tasks niah_single,paraphrase --lengths 1M --n ${N_1M:-3} --time-limit 500 --out $R/runtime_l3_1m.csv --samples-out $R/runtime_l3_1m_samples.jsonl";;
*) echo "unknown part $part" >&2; exit 2;;
esac
rc=$?; ls -la $R; for f in $R/*.csv; do echo "=== $f"; cat $f; done; echo "part $part exit $rc"; date -u
