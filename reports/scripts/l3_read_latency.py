"""Issue 12, L3 tier: the read path with the same retrieved sentences read two ways, re-prefilling their text or placing
their stored KV (RoPE re-rotated), on one memory per sample (kv_tier='l3' keeps both L2 text and L3 KV).
Per (task, length, read, top_k, sample): tokens read, seconds to build the cache ready to decode (median of --reps),
the two answers and their scores. Rows are appended to --out as they are measured.
  python reports/scripts/l3_read_latency.py --device cpu --tasks niah_single,paraphrase --lengths 8K --n 3 --out reports/results/runtime_l3_read.csv
"""
import argparse, csv, dataclasses, os, statistics, sys, time
import torch
from icmos.core import ICMOSConfig, _sync, decode_greedy, load_model, stop_ids
from icmos.eval import device_name, parse_lengths
from icmos.runtime import KVPrompt, Memory, RuntimeConfig
from icmos.tasks import make_sample
from icmos.bench_runtime import decode_config

COLS = ['task', 'context_tokens', 'seed', 'read', 'top_k', 'blocks_read', 'prompt_tokens_text', 'prompt_tokens_l3', 'runs',
        'text_s', 'l3_s', 'score_text', 'score_l3', 'same_answer', 'answer_text', 'answer_l3', 'device', 'dtype']

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cpu'); ap.add_argument('--dtype', default='auto'); ap.add_argument('--model', default=None)
    ap.add_argument('--tasks', default='niah_single,paraphrase'); ap.add_argument('--lengths', default='8K')
    ap.add_argument('--n', type=int, default=3); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--configs', default='units:4,blocks:1,blocks:4,blocks:8', help='read:top_k pairs')
    ap.add_argument('--reps', type=int, default=3); ap.add_argument('--budget', type=int, default=2048)
    ap.add_argument('--max-new-tokens', type=int, default=40); ap.add_argument('--out', required=True)
    a = ap.parse_args()
    kw = dict(device=a.device, dtype=a.dtype, max_new_tokens=a.max_new_tokens)
    if a.model: kw['model'] = a.model
    cfg = ICMOSConfig(**kw); model, tok = load_model(cfg); dev = device_name(model)
    new = not os.path.exists(a.out); f = open(a.out, 'a', newline=''); w = csv.DictWriter(f, COLS)
    if new: w.writeheader()
    stop = stop_ids(tok)
    def timed(mem, prompt, max_new):
        ts = []
        for _ in range(a.reps):
            _sync(model.device); t = time.perf_counter(); logits, cache = mem.read_prompt(prompt); _sync(model.device)
            ts.append(time.perf_counter() - t)
        out = decode_greedy(model, cache, logits, max_new, stop)
        return statistics.median(ts), tok.decode(out, skip_special_tokens=True).strip()
    for L in parse_lengths(a.lengths):
        for task in a.tasks.split(','):
            for i in range(a.n):
                s = make_sample(task, tok, L, a.seed + i, depth=(i + 0.5) / a.n)
                max_new = decode_config(cfg, s).max_new_tokens
                mem = Memory(RuntimeConfig(kv_tier='l3', kv_max_gb=64), model, tok, cfg); mem.write(s.context)
                for c in a.configs.split(','):
                    read, k = c.split(':'); mem.cfg = dataclasses.replace(mem.cfg, read=read, top_k=int(k))
                    chosen, hops = mem.retrieve(s.question)
                    p3, kept, _, _ = mem.assemble(s.question, chosen, a.budget, max_new, 0, hops=hops)
                    kv, mem.kv = mem.kv, None
                    try: pt, kept_t, _, _ = mem.assemble(s.question, chosen, a.budget, max_new, 0, hops=hops)
                    finally: mem.kv = kv
                    assert isinstance(p3, KVPrompt) and kept == kept_t
                    t_text, ans_t = timed(mem, pt, max_new); t_l3, ans_3 = timed(mem, p3, max_new)
                    row = dict(task=task, context_tokens=L, seed=a.seed + i, read=read, top_k=int(k), blocks_read=len(kept),
                               prompt_tokens_text=pt.n_tokens, prompt_tokens_l3=p3.n_tokens, runs=len(p3.runs),
                               text_s=round(t_text, 5), l3_s=round(t_l3, 5), score_text=s.score(ans_t), score_l3=s.score(ans_3),
                               same_answer=int(ans_t == ans_3), answer_text=ans_t[:200], answer_l3=ans_3[:200], device=dev, dtype=str(model.dtype))
                    w.writerow(row); f.flush()
                    print(f"{task} {L} {i} {c}: text {t_text * 1000:.1f} ms vs l3 {t_l3 * 1000:.1f} ms, {pt.n_tokens}/{p3.n_tokens} tokens, "
                          f"scores {row['score_text']}/{row['score_l3']}", file=sys.stderr, flush=True)
                del mem
    f.close()

if __name__ == '__main__': main()
