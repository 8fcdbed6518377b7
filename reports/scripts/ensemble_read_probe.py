"""Issue 12 (session 26, CPU): read each retrieved place alone and mix the readings, against the runtime's joint reading.

For an unanchored question (no candidate holds half its rare words: paraphrase) that `icmos` reads as two or more groups (chains),
each group's prompt is decoded on its own cache and the next token is the argmax of a mixture of the groups' distributions
(REPLUG, Shi et al. 2023): `uniform` weights, `post` = the softmax of log p(question | group) (query likelihood), `post_t` the same at
temperature 4; `conf` decodes each group alone and keeps the answer whose first 8 tokens the model is surest of. A question read as
one group keeps the joint answer. Greedy, eager, one JSONL row per sample (the groups, their scores and every answer).

  PYTHONPATH=. python reports/scripts/ensemble_read_probe.py --device cpu --tasks paraphrase --lengths 8K --n 20 --out F.jsonl
"""
import argparse, json, sys, math
import torch, numpy as np
from icmos.bench_runtime import decode_config, make_method, memory_record
from icmos.cli import _config, _model_flags
from icmos.core import load_model, split_list, encode_prompt, prefill, stop_ids, cache_kw, _encode_text
from icmos.eval import parse_lengths
from icmos.runtime import Memory
from icmos.tasks import make_sample

def qlogp(mem, text, question):
    tok, model = mem.tok, mem.model
    c = _encode_text(tok, text)[0].tolist(); q = _encode_text(tok, '\nQuestion: ' + question.strip())[0].tolist()
    ids = torch.tensor([c + q], device=model.device)
    with torch.no_grad(): lp = model(input_ids=ids).logits[0, len(c) - 1:-1].float().log_softmax(-1)
    return float(lp.gather(-1, torch.tensor(q, device=lp.device)[:, None]).sum())

def mix_decode(model, prompts, w, max_new, stop):
    caches, lps = [], []
    for p in prompts:
        lg, c = prefill(model, p.ids()); caches.append(c); lps.append(lg[0].float().log_softmax(-1))
    w = torch.tensor(w, dtype=torch.float32); out = []; own = [[] for _ in prompts]
    with torch.no_grad():
        for i in range(max_new):
            mix = torch.logsumexp(torch.stack(lps) + w.log()[:, None].to(lps[0].device), 0)
            nxt = int(mix.argmax())
            if nxt in stop: break
            out.append(nxt)
            for j in range(len(prompts)): own[j].append(float(lps[j][nxt]))
            if i == max_new - 1: break
            lps = [model(input_ids=torch.tensor([[nxt]], device=model.device), **cache_kw(model, c), use_cache=True).logits[0, -1].float().log_softmax(-1) for c in caches]
    return out, own

def main():
    p = argparse.ArgumentParser(); p.add_argument('--tasks', default='paraphrase'); p.add_argument('--lengths', default='8K')
    p.add_argument('--n', type=int, default=20); p.add_argument('--seed', type=int, default=0); p.add_argument('--budget', type=int, default=2048)
    p.add_argument('--out', required=True); p.add_argument('--all', action='store_true')
    _model_flags(p); args = p.parse_args(); cfg = _config(args)
    model, tok = load_model(cfg); stop = stop_ids(tok); meth = make_method('icmos', args.budget)
    f = open(args.out, 'a')
    for L in parse_lengths(args.lengths):
        for t in split_list(args.tasks):
            for i in range(args.n):
                s = make_sample(t, tok, L, args.seed + i, depth=(i + 0.5) / args.n); c = decode_config(cfg, s)
                mem = Memory(meth.runtime, model, tok, c); mem.write(s.context)
                a = mem.ask(s.question, args.budget, c.max_new_tokens); tr = mem.last_trace
                rec = dict(task=t, length=L, seed=args.seed + i, expected=s.answer, joint=a.text, joint_score=s.score(a.text),
                           anchored=bool(tr.hops[0].anchor), read_recall=memory_record(mem, s).get('read_recall'))
                chosen = tr.chosen; hops = tr.hops
                pieces = mem._pieces(chosen, hops); starts = {k for k, b in enumerate(chosen) if b in hops[0].picked}
                groups = mem._read_groups(pieces, starts)
                rec['n_groups'] = len(groups)
                if (not rec['anchored'] or args.all) and len(groups) > 1:
                    texts = [mem._units_text(g)[0] for g in groups]
                    prompts = [encode_prompt(tok, x, s.question) for x in texts]
                    sc = np.array([qlogp(mem, x, s.question) for x in texts]); rec['group_logp'] = sc.tolist(); rec['groups'] = texts
                    post = np.exp(sc - sc.max()); post /= post.sum()
                    for name, w in (('uniform', np.ones(len(texts)) / len(texts)), ('post', post), ('post_t', np.exp((sc - sc.max()) / 4) / np.exp((sc - sc.max()) / 4).sum())):
                        o, _ = mix_decode(model, prompts, w.tolist(), c.max_new_tokens, stop)
                        txt = tok.decode(o, skip_special_tokens=True).strip(); rec[name] = txt; rec[name + '_score'] = s.score(txt)
                    alone = []
                    for j, pr in enumerate(prompts):
                        o, own = mix_decode(model, [pr], [1.0], c.max_new_tokens, stop)
                        txt = tok.decode(o, skip_special_tokens=True).strip(); alone.append((txt, s.score(txt), float(np.mean(own[0][:8])) if o else -99))
                    rec['alone'] = alone
                    best = max(alone, key=lambda x: x[2]); rec['conf'] = best[0]; rec['conf_score'] = best[1]
                f.write(json.dumps(rec) + '\n'); f.flush()
                print(t, L, args.seed + i, {k: rec.get(k) for k in ('anchored', 'n_groups', 'read_recall', 'joint_score', 'uniform_score', 'post_score', 'post_t_score', 'conf_score')}, file=sys.stderr, flush=True)

if __name__ == '__main__': main()
