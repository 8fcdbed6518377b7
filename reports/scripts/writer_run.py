"""Tech report B, end to end at any scale: train the Q-Former writer through the frozen LM, freeze it, train the index
distiller + query projector on its detail tokens, and measure retrieval and QA on held-out blocks.

  python reports/scripts/writer_run.py writer --out runs/w16 --groups 300 --block-tokens 128 --n-tokens 8 --steps 200
  python reports/scripts/writer_run.py index  --out runs/w16 --groups 300 --test-groups 100
  python reports/scripts/writer_run.py eval   --out runs/w16 --test-groups 100 --qa 20 --csv reports/results/writer.csv
  python reports/scripts/writer_run.py untrained --out runs/w0 ...   (the control: the same index + eval on a random writer)
  python reports/scripts/writer_run.py examples --out runs --examples runs/train.json --groups 20000 --workers 8
                                          (the training examples once, in parallel; writer and index read --examples)

--max-minutes bounds a stage's wall-clock time from its start: training stops at the deadline (less a reserve for
saving) and keeps its history and checkpoint, which record the steps actually done; eval answers fewer QA questions
(the CSV's n says how many). A GPU job (writer_gpu.sh) gives each stage its own slice this way.

latency_ms is the time to key all test questions and score them against every block, divided by the number of questions
(batched, so a per-question amortised cost, not a single-query latency); compression is the pool's real tokens per block / N.
Each stage reads what the one before wrote under --out (checkpoints as safetensors + config.json, histories as CSV).
Same command on a GPU (the model's device comes from ICMOS_DEVICE / --device); CPU-sized defaults.
"""
import argparse, csv, json, os, random, sys, time
START = time.time()  # the stage's wall-clock budget (--max-minutes) counts from here
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from icmos.core import ICMOSConfig, load_model, text_ids  # noqa: E402
from icmos import writer as W  # noqa: E402

COLS = ['encoder', 'task', 'context_tokens', 'n_blocks', 'compression', 'n', 'recall_at_1', 'recall_at_4', 'qa_accuracy',
        'raw_qa_accuracy', 'latency_ms', 'device', 'model']


def _model(a):
    "The LM (ICMOS_MODEL or the embedded SmolLM2) and the name the CSV rows carry."
    cfg = ICMOSConfig.from_env(device=a.device, dtype='float32' if a.device == 'cpu' else 'bfloat16')
    model, tok = load_model(cfg)
    a.model_name = 'smollm2' if cfg.model == 'smollm2' else Path(cfg.model).name
    return model, tok


RESERVE_S = 20  # of a stage's budget, kept for saving its checkpoint and history after training


def _left(a, reserve: float = RESERVE_S):
    "Seconds of this stage's budget left for work (None: no --max-minutes), `reserve` held back."
    return None if not a.max_minutes else max(0.0, START + 60 * a.max_minutes - time.time() - reserve)


def _sync(model):
    if model.device.type == 'cuda': torch.cuda.synchronize(model.device)


def _examples(a, tok, groups, block_tokens, split='train'):
    "`writer_examples`, read from --examples when that file holds the same request (made by the `examples` stage), else generated here (and written there)."
    want = dict(groups=groups, seed=a.seed, block_tokens=block_tokens, split=split)
    p = Path(a.examples) if a.examples and split == 'train' else None
    if p and p.is_file():
        got = json.loads(p.read_text())
        if {k: got.get(k) for k in want} == want: return got['examples']
        print(f'{p} holds {({k: got.get(k) for k in want})}, not {want}: generating')
    ex = _generate(tok, groups, a.seed, block_tokens, split, a.workers)
    if p: p.parent.mkdir(parents=True, exist_ok=True); p.write_text(json.dumps(dict(want, workers=a.workers, examples=ex)))
    return ex


def _chunk(args):
    tok, n, seed, block_tokens, split = args
    return W.writer_examples(tok, n, seed=seed, block_tokens=block_tokens, split=split)


def _generate(tok, groups, seed, block_tokens, split, workers):
    "One seeded stream (workers = 1, as the CPU runs made them), or `workers` streams seeded `seed.i` in parallel, group ids renumbered."
    if workers <= 1 or groups < 2 * workers: return W.writer_examples(tok, groups, seed=seed, block_tokens=block_tokens, split=split)
    import multiprocessing as mp
    from icmos.tasks import prose_corpus
    prose_corpus(tok)  # read once here, inherited by the forked workers
    sizes = [groups // workers + (i < groups % workers) for i in range(workers)]
    with mp.get_context('fork').Pool(workers) as pool:
        parts = pool.map(_chunk, [(tok, n, f'{seed}.{i}', block_tokens, split) for i, n in enumerate(sizes)])
    out, off = [], 0
    for n, part in zip(sizes, parts):
        for e in part: e['group'] += off
        out += part; off += n
    return out


def _hist_csv(rows, path):
    if not rows: return
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)


def stage_writer(a):
    model, tok = _model(a)
    torch.manual_seed(a.seed)
    cfg = W.WriterConfig(n_tokens=a.n_tokens, block_tokens=a.block_tokens, layer=a.layer, d=a.d, depth=a.depth,
                         heads=a.heads, recon_weight=a.recon_weight, spread_weight=a.spread_weight,
                         explain_weight=a.explain_weight)
    ex = _examples(a, tok, a.groups, a.block_tokens)
    t0 = time.perf_counter()
    init = None
    if a.init:  # the same weights, the loss weights of this stage
        import dataclasses
        init = W.load_writer(Path(a.init) / 'writer', model, tok)
        init.cfg = dataclasses.replace(init.cfg, recon_weight=a.recon_weight, spread_weight=a.spread_weight, explain_weight=a.explain_weight)
    tc = W.WriterTrainConfig(steps=a.steps, batch=a.batch, lr=a.lr, recon_tokens=a.recon_tokens, seed=a.seed, log_every=a.log_every,
                             max_seconds=_left(a), warmup=a.warmup)
    w, hist = W.train_writer(model, tok, ex, cfg, tc, writer=init)
    out = Path(a.out); W.save_writer(w, out / 'writer')
    _hist_csv(hist, out / 'writer_history.csv')
    done = hist[-1]['step'] if hist else 0
    (out / 'writer_run.json').write_text(json.dumps(dict(args=vars(a), seconds=time.perf_counter() - t0, train_seconds=hist[-1]['seconds'] if hist else 0,
                                                          max_seconds=tc.max_seconds, steps_done=done, stopped_early=done < a.steps,
                                                          examples=len(ex), device=str(model.device)), indent=1))
    print(f'writer: {len(ex)} examples, {done} of {a.steps} steps, {time.perf_counter() - t0:.0f} s -> {out / "writer"}')


def stage_untrained(a):
    "An untrained writer (random Q-Former) under --out/writer: the control that tells what writer training adds."
    model, tok = _model(a)
    torch.manual_seed(a.seed)
    cfg = W.WriterConfig(n_tokens=a.n_tokens, block_tokens=a.block_tokens, layer=a.layer, d=a.d, depth=a.depth, heads=a.heads)
    W.save_writer(W.Writer.for_model(model, tok, cfg), Path(a.out) / 'writer')
    print(f'untrained writer -> {Path(a.out) / "writer"}')


def _encode_all(model, tok, w, texts, batch=64):
    "Detail tokens of every text (float32, on the CPU)."
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), batch): out.append(w.encode(model, tok, texts[i:i + batch]).float().cpu())
    return torch.cat(out)


def _groups(ex):
    "Per question: the index of its positive block and of every block of its group."
    pos, groups, qs, by = [], [], [], {}
    for i, e in enumerate(ex): by.setdefault(e['group'], []).append(i)
    for g, idx in by.items():
        p = [i for i in idx if ex[i]['label'] == 'positive'][0]
        pos.append(p); groups.append(idx); qs.append(ex[p]['question'])
    return pos, groups, qs


def stage_index(a):
    from icmos import distiller as Di
    model, tok = _model(a)
    w = W.load_writer(Path(a.out) / 'writer', model, tok)
    ex = _examples(a, tok, a.groups, w.cfg.block_tokens)
    t0 = time.perf_counter()
    D = _encode_all(model, tok, w, [e['text'] for e in ex]).to(model.device)  # the towers train where the LM runs
    pos, groups, qs = _groups(ex)
    S = Di.question_states(model, tok, qs, w.cfg.layer).to(model.device)
    t1 = time.perf_counter()
    cfg = Di.DistillerConfig(q_layer=w.cfg.layer)
    tc = Di.DistillerTrainConfig(steps=a.index_steps, batch=a.index_batch, lr=a.index_lr, seed=a.seed, log_every=a.log_every,
                                 max_seconds=_left(a))
    dist, hist = Di.train_distiller(D, S, pos, groups, cfg, tc, fingerprint=w.fingerprint, writer_digest=W.weights_digest(w))
    Di.save_distiller(dist, Path(a.out) / 'distiller')
    _hist_csv(hist, Path(a.out) / 'distiller_history.csv')
    done = hist[-1]['step'] if hist else 0
    (Path(a.out) / 'distiller_run.json').write_text(json.dumps(dict(args=vars(a), encode_seconds=t1 - t0, train_seconds=hist[-1]['seconds'] if hist else 0,
                                                                    max_seconds=tc.max_seconds, steps_done=done, stopped_early=done < a.index_steps,
                                                                    blocks=len(ex), questions=len(qs), device=str(model.device)), indent=1))
    print(f'distiller: {len(ex)} blocks, {len(qs)} questions; D and states {t1 - t0:.0f} s, {done} of {a.index_steps} steps in {time.perf_counter() - t1:.0f} s')


def stage_examples(a):
    "The training examples, once, into --examples (CPU work: `workers` processes)."
    if not a.examples: raise SystemExit('examples: give --examples FILE')
    _, tok = load_model(ICMOSConfig.from_env(device='cpu', dtype='float32'))  # the tokenizer (no GPU in this stage)
    t0 = time.perf_counter(); ex = _examples(a, tok, a.groups, a.block_tokens)
    print(f'examples: {a.groups} groups, {len(ex)} blocks, {time.perf_counter() - t0:.0f} s -> {a.examples}')


def _filler(tok, n, block_tokens, seed):
    "Prose-only blocks (no fact) that pad the eval pool."
    rng = random.Random(f'filler-{seed}')
    return [W._prose_block(tok, block_tokens, rng) for _ in range(n)]


def _hit(answer, pred): return float(answer.lower() in pred.lower())


def stage_eval(a):
    import bm25s
    from icmos import distiller as Di
    from icmos.rag import embed
    model, tok = _model(a)
    w = W.load_writer(Path(a.out) / 'writer', model, tok)
    dist = Di.load_distiller(Path(a.out) / 'distiller', model, tok, writer=w)
    ex = W.writer_examples(tok, a.test_groups, seed=a.seed, block_tokens=w.cfg.block_tokens, split='test')
    pool = [e['text'] for e in ex] + _filler(tok, max(0, a.pool - len(ex)), w.cfg.block_tokens, a.seed)
    D = _encode_all(model, tok, w, pool)
    H = dist.keys(D)
    pos, groups, qs = _groups(ex)
    kinds = [ex[p]['kind'] for p in pos]
    dev, name = str(model.device), a.model_name
    lens = [len(x) for x in text_ids(tok, pool)]
    ctx = sum(lens)
    a.compression = round(sum(lens) / len(lens) / w.cfg.n_tokens, 2)  # real tokens per block / N (blocks are at most block_tokens)
    scores, lat = {}, {}
    t0 = time.perf_counter(); Q = dist.queries(model, tok, qs); scores['distilled'] = Q @ H.T; _sync(model); lat['distilled'] = (time.perf_counter() - t0) / len(qs)
    if a.no_baselines: return _finish(a, ex, pool, D, w, pos, kinds, qs, scores, lat, ctx, dev, name, model, tok)
    E = embed(pool, device=model.device); t0 = time.perf_counter(); Eq = embed(qs, device=model.device); scores['minilm'] = Eq @ E.T; lat['minilm'] = (time.perf_counter() - t0) / len(qs)
    r = bm25s.BM25(); r.index(bm25s.tokenize(pool, show_progress=False), show_progress=False)
    t0 = time.perf_counter()
    docs, sc = r.retrieve(bm25s.tokenize(qs, show_progress=False), k=len(pool), show_progress=False)
    B = torch.full((len(qs), len(pool)), -1e9)
    for i in range(len(qs)): B[i, torch.as_tensor(docs[i])] = torch.as_tensor(sc[i], dtype=torch.float32)
    scores['bm25'] = B; lat['bm25'] = (time.perf_counter() - t0) / len(qs)
    _finish(a, ex, pool, D, w, pos, kinds, qs, scores, lat, ctx, dev, name, model, tok)


def _finish(a, ex, pool, D, w, pos, kinds, qs, scores, lat, ctx, dev, name, model, tok):
    from icmos import distiller as Di
    from icmos.core import encode_prompt, prefill, decode_greedy, stop_ids
    tag = f'-{a.tag}' if a.tag else ''
    rows, tasks = [], sorted(set(kinds))
    for ti, task in enumerate(tasks):
        sel = [i for i, k in enumerate(kinds) if k == task]
        for enc, S in scores.items():
            rows.append(dict(encoder=enc + (tag if enc == 'distilled' else ''), task=task, context_tokens=ctx, n_blocks=len(pool),
                             compression=a.compression if enc == 'distilled' else '', n=len(sel),
                             recall_at_1=round(Di.recall_at(S[sel], [pos[i] for i in sel], 1), 4), recall_at_4=round(Di.recall_at(S[sel], [pos[i] for i in sel], 4), 4),
                             qa_accuracy='', raw_qa_accuracy='', latency_ms=round(1000 * lat[enc], 3), device=dev, model=name))
        # QA on the positive blocks: D only, the raw block, no memory
        qa = {'writer': [], 'raw': [], 'none': []}; samples = []
        left = _left(a, reserve=10)
        until = None if left is None else time.time() + left / (len(tasks) - ti)  # this task's share of what is left
        for i in sel[:a.qa]:
            if until is not None and time.time() > until: break  # out of time: n says how many were answered
            e = ex[pos[i]]
            with torch.no_grad():
                pd = W.answer_from_memory(model, tok, w, D[pos[i]].to(model.device), e['question'])
                praw = pnone = ''
                if not a.no_baselines:  # the same questions with the raw block, and with no memory at all
                    pr = encode_prompt(tok, e['text'], e['question']); lg, c = prefill(model, pr.ids())
                    praw = tok.decode(decode_greedy(model, c, lg, 40, stop_ids(tok)), skip_special_tokens=True)
                    pn = encode_prompt(tok, '(no document)', e['question']); lg, c = prefill(model, pn.ids())
                    pnone = tok.decode(decode_greedy(model, c, lg, 40, stop_ids(tok)), skip_special_tokens=True)
                    qa['raw'].append(_hit(e['answer'], praw)); qa['none'].append(_hit(e['answer'], pnone))
            qa['writer'].append(_hit(e['answer'], pd))
            samples.append(dict(run=a.tag or 'trained', task=task, question=e['question'], answer=e['answer'], from_D=pd, from_block=praw, no_memory=pnone))
        n = len(qa['writer']); m = lambda v: sum(v) / max(1, len(v))
        rows.append(dict(encoder='writer' + tag.removesuffix('-writer'), task=task, context_tokens=w.cfg.n_tokens + 2, n_blocks=1, compression=a.compression, n=n,
                         recall_at_1='', recall_at_4='', qa_accuracy=m(qa['writer']), raw_qa_accuracy=m(qa['raw']) if qa['raw'] else '', latency_ms='', device=dev, model=name))
        if not a.no_baselines: rows.append(dict(encoder='none', task=task, context_tokens=0, n_blocks=0, compression='', n=n,
                         recall_at_1='', recall_at_4='', qa_accuracy=m(qa['none']), raw_qa_accuracy='', latency_ms='', device=dev, model=name))
        with open(Path(a.out) / 'qa_samples.jsonl', 'a') as f:
            for s_ in samples: f.write(json.dumps(s_) + '\n')
    for r_ in rows: print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r_.items()})
    if a.csv:
        new = not Path(a.csv).exists()
        with open(a.csv, 'a', newline='') as f:
            wr = csv.DictWriter(f, fieldnames=COLS)
            if new: wr.writeheader()
            wr.writerows(rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('stage', choices=['examples', 'writer', 'untrained', 'index', 'eval'])
    p.add_argument('--out', required=True)
    p.add_argument('--device', default=os.environ.get('ICMOS_DEVICE', 'cpu'))
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--groups', type=int, default=300, help='training groups (a question with its positive and hard-negative blocks)')
    p.add_argument('--test-groups', type=int, default=100, help='held-out groups at eval (paraphrase templates never trained on)')
    p.add_argument('--block-tokens', type=int, default=128, help='most tokens of a block')
    p.add_argument('--n-tokens', type=int, default=8, help='detail tokens per block (N)')
    p.add_argument('--layer', type=int, default=20, help='LM layer whose states the writer and the query projector read')
    p.add_argument('--d', type=int, default=256)
    p.add_argument('--depth', type=int, default=2)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--recon-weight', type=float, default=0.5, help='weight of Head B (reconstruction)')
    p.add_argument('--spread-weight', type=float, default=1.0, help='weight of the hinge against one D for every block')
    p.add_argument('--explain-weight', type=float, default=1.0, help='weight of Head A (0: reconstruction pretraining)')
    p.add_argument('--init', default='', help='writer stage: start from this run folder\'s writer (e.g. a reconstruction-pretrained one)')
    p.add_argument('--steps', type=int, default=200, help='writer training steps')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--lr', type=float, default=3e-4)
    p.add_argument('--recon-tokens', type=int, default=48, help="tokens of the block Head B reproduces per example (after a 4-token cue)")
    p.add_argument('--log-every', type=int, default=10)
    p.add_argument('--warmup', type=int, default=None, help='writer: learning-rate warm-up steps (default steps // 20)')
    p.add_argument('--qa', type=int, default=20)
    p.add_argument('--tag', default='', help="suffix of the writer's and distiller's encoder names in the CSV (e.g. untrained)")
    p.add_argument('--no-baselines', action='store_true', help='skip MiniLM, BM25 and no-memory rows (a control run beside a full one)')
    p.add_argument('--pool', type=int, default=1000, help='blocks searched at eval: the test groups plus prose fillers')
    p.add_argument('--index-steps', type=int, default=600)
    p.add_argument('--index-batch', type=int, default=32)
    p.add_argument('--index-lr', type=float, default=1e-3)
    p.add_argument('--csv', default='')
    p.add_argument('--max-minutes', type=float, default=0, help="wall-clock budget of this stage from its start (0: none): training stops in time to save; eval answers fewer QA questions")
    p.add_argument('--examples', default='', help='training examples file (JSON): written by the `examples` stage, read by writer and index')
    p.add_argument('--workers', type=int, default=1, help='examples: processes that generate them (>1: one seeded stream per process)')
    a = p.parse_args(argv)
    Path(a.out).mkdir(parents=True, exist_ok=True)
    if a.max_minutes < 0: p.error('--max-minutes must be >= 0')
    {'examples': stage_examples, 'writer': stage_writer, 'untrained': stage_untrained, 'index': stage_index, 'eval': stage_eval}[a.stage](a)


if __name__ == '__main__':
    main()
