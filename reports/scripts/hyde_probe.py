"""Probe (issue 12, paraphrase needles): does a hypothetical answer written by the LM (HyDE, Gao et al. 2022) find the
fact better than the question does, as a MiniLM query? Retrieval only: the fact's recall@4 and @16 among MiniLM's
ranked blocks for the question, the hypothesis, and both (their key vectors averaged), on the same memory.

  python reports/scripts/hyde_probe.py --task paraphrase --length 32K --n 20 --out reports/results/hyde_probe.csv
"""
import argparse, csv, sys, time

import torch

from icmos.bench_runtime import fact_recall
from icmos.core import ICMOSConfig, greedy_decode, load_model, prefill
from icmos.eval import parse_lengths
from icmos.runtime import Dense, Memory, RuntimeConfig
from icmos.tasks import make_sample

PROMPT = 'Answer in one full sentence. If you do not know, invent a plausible answer.'


def hypothesis(model, tok, question: str, max_new: int = 32) -> str:
    "The LM's own one-sentence answer to `question` with no document (greedy)."
    ids = tok.apply_chat_template([{'role': 'user', 'content': f'{PROMPT}\n\n{question}'}], add_generation_prompt=True, return_tensors='pt')
    ids = ids['input_ids'] if hasattr(ids, 'keys') else ids
    logits, cache = prefill(model, ids.to(model.device))
    out = greedy_decode(model, cache, logits, max_new, stop=[tok.eos_token_id])
    return tok.decode(out, skip_special_tokens=True).strip().split('\n')[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--task', default='paraphrase'); ap.add_argument('--length', default='32K')
    ap.add_argument('--n', type=int, default=20); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', default='reports/results/hyde_probe.csv'); ap.add_argument('--device', default=None)
    a = ap.parse_args(argv)
    cfg = ICMOSConfig.from_env(device=a.device)
    model, tok = load_model(cfg)
    rows, f, w = [], None, None  # a row per sample, flushed as it comes: a run cut at a deadline keeps what it finished
    for L in parse_lengths(a.length):
        for i in range(a.n):
            s = make_sample(a.task, tok, L, a.seed + i, depth=(i + 0.5) / a.n)
            m = Memory(RuntimeConfig(rankers='minilm', index='flat'), model, tok, cfg); m.write(s.context)
            d = next(r for r in m.rankers if isinstance(r, Dense))
            t0 = time.perf_counter(); h = hypothesis(model, tok, s.question); gen_s = time.perf_counter() - t0
            qv, hv = d.query_vector(s.question), d.query_vector(h)
            row = dict(task=a.task, context_tokens=L, seed=a.seed + i, question=s.question, hypothesis=h, gen_s=round(gen_s, 3))
            for name, v in (('question', qv), ('hypothesis', hv), ('both', torch.nn.functional.normalize(qv + hv, dim=-1))):
                sc, ids = d.index.search(v, 64)
                blocks = [b for b, _ in d._to_blocks(ids, sc, 16, frozenset(), frozenset())]
                for k in (4, 16):
                    row[f'{name}_r{k}'] = fact_recall(s, [m.blocks[b].text for b in blocks[:k]])
            rows.append(row); print(row, file=sys.stderr, flush=True)
            if w is None: f = open(a.out, 'w', newline=''); w = csv.DictWriter(f, list(row)); w.writeheader()
            w.writerow(row); f.flush()
    if f is None: print('no sample: nothing written', file=sys.stderr); return 1
    f.close()
    keys = [k for k in rows[0] if k.endswith(('_r4', '_r16'))]
    print({k: round(sum(r[k] for r in rows) / len(rows), 3) for k in keys})
    return 0


if __name__ == '__main__':
    sys.exit(main())
