"""Issue 12 (session 25's open question): in the solo bench at 1M on the H200, one of three questions (seed 300, the first the
process asks; each sample writes its own memory) retrieved in 0.6-0.8 s where v3 took 0.1 s; seeds 301-302 took 0.1-0.2 s, as v3.
Process warm-up or that question's own work? Per document (seeds SEED, SEED + 100, ...) one memory; question 0 is the document's
own, questions 1.. are other samples' (their needles are not in this document: compare question 0 across documents, and the
later ones with each other). Each retrieval is timed by stage (the rankers, the LM re-rank) with the GPU synchronised, and the
first two questions of the first document are profiled with torch.profiler (top ops by self time). Run it with --docs 3 on the
GPU: a slow question 0 on every document is the question's work; a slow first retrieval of the process alone is warm-up.

  python reports/scripts/first_question_probe.py --device cuda --dtype bfloat16 --length 1M --docs 2 --questions 4 --out first_q.csv
  python reports/scripts/first_question_probe.py --device cpu --length 16K --docs 2 --questions 3 --out /tmp/first_q.csv   # CPU check

Session 26 found the slow retrievals' time in `aten::_cudnn_attention_forward` (cuDNN building plans for the re-rank's new shapes).
`--sdpa` sets `RuntimeConfig.attention`: 'all' (PyTorch's choice of SDPA backend; the package's behaviour before session 27) or
'no-cudnn' (flash, memory-efficient and math only: the fix, the package's default since session 27). `--compare-rerank` also scores
each question's candidates both ways (all backends, then without cuDNN) and writes the largest difference of the re-rank's scores and
whether its order changed (another kernel may flip a tie, and so an answer). Session 27 ran both on the H200 (session27_gpu.sh).
"""
import argparse, csv, dataclasses, sys, time

import torch

from icmos.cli import _config, _model_flags
from icmos.core import load_model
from icmos.eval import parse_lengths
from icmos.runtime import Memory, RuntimeConfig
from icmos.tasks import make_sample


def sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()


def score(mem, question, units, attention):
    "The LM re-rank's scores of `units` for `question` with `RuntimeConfig.attention` set to `attention` (the memory's own setting restored)."
    own = mem.cfg; mem.cfg = dataclasses.replace(own, attention=attention)
    try: return mem.question_loglik(question, units)
    finally: mem.cfg = own


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--length', default='1M'); p.add_argument('--docs', type=int, default=2); p.add_argument('--questions', type=int, default=4)
    p.add_argument('--seed', type=int, default=300); p.add_argument('--task', default='niah_single'); p.add_argument('--out', required=True)
    p.add_argument('--profile-top', type=int, default=15, help='ops printed per profiled question (0: no profile)')
    p.add_argument('--sdpa', default='all', choices=['all', 'no-cudnn'], help="RuntimeConfig.attention: the SDPA backends the memory may use (default all: the package's behaviour before session 27, whose default is no-cudnn)")
    p.add_argument('--compare-rerank', action='store_true', help="also score each question's candidates with and without cuDNN's backend")
    _model_flags(p)
    a = p.parse_args(argv)
    cfg = _config(a); model, tok = load_model(cfg)
    L = parse_lengths(a.length)[0]
    rows = []
    for d in range(a.docs):
        s = make_sample(a.task, tok, L, a.seed + 100 * d)
        mem = Memory(RuntimeConfig(attention=a.sdpa), model, tok, cfg); sync(); t = time.perf_counter(); mem.write(s.context); sync()
        print(f'doc {d}: wrote {mem.n_tokens:,} tokens in {time.perf_counter() - t:.2f} s', file=sys.stderr)
        stage = {}
        for name in ('rank', 'question_loglik'):  # time two stages of every retrieve by wrapping the memory's own methods
            f = getattr(mem, name)
            def timed(*x, _f=f, _n=name, **k):
                sync(); t0 = time.perf_counter(); r = _f(*x, **k); sync(); stage[_n] = stage.get(_n, 0.0) + time.perf_counter() - t0; return r
            setattr(mem, name, timed)
        for q in range(a.questions):
            qs = make_sample(a.task, tok, L, a.seed + 100 * d + q).question if q else s.question
            stage.clear(); prof = None
            if a.profile_top and q < 2 and d == 0:
                acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
                prof = torch.profiler.profile(activities=acts); prof.__enter__()
            sync(); t = time.perf_counter(); mem.retrieve(qs); sync(); total = time.perf_counter() - t
            if prof is not None:
                prof.__exit__(None, None, None)
                key = 'self_cuda_time_total' if torch.cuda.is_available() else 'self_cpu_time_total'
                print(f'--- doc {d} question {q}: top ops by {key}', file=sys.stderr)
                print(prof.key_averages().table(sort_by=key, row_limit=a.profile_top), file=sys.stderr)
            row = dict(doc=d, question=q, context_tokens=mem.n_tokens, retrieve_s=round(total, 4), rank_s=round(stage.get('rank', 0), 4),
                       rerank_s=round(stage.get('question_loglik', 0), 4), device=str(model.device), dtype=str(model.dtype), sdpa=a.sdpa)
            if a.compare_rerank:  # the same candidates scored with every backend allowed, then without cuDNN's
                _, fused = mem.rank(qs); units = list(mem.best_units([b for b, _ in fused], qs).values())
                s1, s2 = (score(mem, qs, units, way) for way in ('all', 'no-cudnn'))
                row.update(rerank_max_diff=float(abs(s1 - s2).max()) if len(units) else 0.0,
                           rerank_order_same=bool((s1.argsort()[::-1] == s2.argsort()[::-1]).all()), rerank_top_same=bool(s1.argmax() == s2.argmax()))
            rows.append(row); print(row, file=sys.stderr, flush=True)
    with open(a.out, 'w', newline='') as f:
        w = csv.DictWriter(f, list(rows[0])); w.writeheader(); w.writerows(rows)
    return 0


if __name__ == '__main__':
    sys.exit(main())
