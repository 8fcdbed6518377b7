"""The write path's faster host stages (icmos.ingest, 2026-11-28) write the same memory as the reference code
(`HostStages.impl = 'ref'`, no prefetch thread): same units and boundaries, token ids, blocks, BM25 postings and scores,
and the same index contents. Also: an error in the prefetch thread reaches the writer at the same piece, and the
thread ends with the write."""
import gc
import threading
import numpy as np, pytest, torch

import icmos.ingest as ingest
from icmos.core import ICMOSError
from icmos.runtime import Memory, RuntimeConfig

EDGE = ('Dr. Smith met Mr. Jones at 9 a.m. on Jan. 5!  Then, e.g., "Why?" she asked.\n\n\n   \n\t\n'
        '!! A lone bang. ?! Both?! (Really.) [Yes.] \u201cQuoted.\u201d It\u2019s fine\u2019. Wait... what?..\r\nCRLF line.\r\n'
        '\u00dcber caf\u00e9 \u2014 na\u00efve r\u00e9sum\u00e9?! \u6771\u4eac\u306f\u5927\u304d\u3044\u3002 Emoji \U0001F642 ok.\u2028next\u00a0line .\u00a0\n'
        + ' '.join(f'word{i}' for i in range(700)) + '\n' + 'x' * 5000 + '\n'
        'Special: <|im_end|> <|im_start|>user [CLS] [SEP] [PAD] [MASK] <s></s> <|endoftext|> ICMOS_CONTEXT \x01 ICMOS-MEMORY. '
        'Version 6.7 and 3.14.15 stay whole. THE The the AND and.   \n  trailing spaces   ')


def doc(n=6):
    rng = np.random.default_rng(0)
    parts = [EDGE]
    for i in range(n):
        parts.append(f'Chapter {i}. ' + ' '.join(rng.choice(['In', 'the', 'beginning', 'God', 'created', 'heaven', 'and', 'earth.', 'Mr.', 'A.', 'B.', '6.7', '?', '!', 'caf\u00e9', '\n', '\n\n', 'key-42.']) for _ in range(400)))
    return '\n'.join(parts + [EDGE])


def state(mem):
    "Everything a write made, as plain values."
    U = mem.units
    out = {'units': (U.text, U.span, U.sep, U.block), 'ids': [np.asarray(a).tolist() for a in U.ids],
           'blocks': [(b.id, b.start, b.end, b.text, b.units, np.asarray(b.ids).tolist()) for b in mem.blocks], 'n_tokens': mem.n_tokens}
    for r in mem.rankers:
        if r.name == 'bm25':
            out['bm25'] = (list(r.vocab), r._df[:len(r.vocab)].tolist(), [[a.tolist() for a in c] for c in r._chunks],
                           [a.tolist() for a in r._ids], [a.tolist() for a in r._len])
            out['bm25_scores'] = [r.scores(q).tolist() for q in ('Why did Smith meet Jones?', 'caf\u00e9 version 6.7', 'key-42 earth')]
        if r.name == 'minilm':
            out['keys'] = r.vectors(range(len(r._owner))).numpy().tolist(); out['owner'] = sorted(r._owner.items())
            ix = r.index
            out['index'] = sorted(ix.dnii._id2row) if hasattr(ix, 'dnii') else list(ix._ids)
            out['search'] = [ix.search(r.query_vector(q), 10)[1].tolist() for q in ('Why did Smith meet Jones?', 'creation')]
    return out


def write(smol, text, impl, prefetch, **kw):
    old = ingest.HostStages.impl
    ingest.HostStages.impl = impl
    try:
        mem = Memory(RuntimeConfig(prefetch=prefetch, **kw), *smol)
        mem.write(text); return mem
    finally: ingest.HostStages.impl = old


@pytest.mark.parametrize('index', ['dnii', 'flat'])
def test_fast_host_stages_write_the_reference_memory(smol, index):
    text = doc()
    kw = dict(index=index, piece_chars=4096, block_words=20)  # small pieces: many, so the thread runs ahead of the writer
    ref = state(write(smol, text, 'ref', 0, **kw))
    assert len(ref['units'][0]) > 300 and ref['bm25'][2]
    for impl, prefetch in (('fast', 0), ('fast', 2)) + ((('ref', 1),) if index == 'dnii' else ()):
        got = state(write(smol, text, impl, prefetch, **kw))
        for k in ref: assert got[k] == ref[k], (impl, prefetch, k)


def test_prefetch_error_and_thread_end(smol, tmp_path):
    "A bad byte read by the thread fails the write with the reader's error, the memory is marked incomplete, and no host thread is left."
    f = tmp_path / 'bad.txt'
    f.write_bytes(doc(4).encode() + b'\nthen a bad byte \xff here.\n' + b'more text. ' * 2000)
    before = {t.name for t in threading.enumerate()}
    mem = Memory(RuntimeConfig(prefetch=1, piece_chars=2048, rankers='bm25'), *smol)
    with pytest.raises(ICMOSError, match='not UTF-8'): mem.write_file(f)
    assert gc.isenabled()  # the write paused the cyclic GC: a failed write must turn it back on
    assert len(mem.units) > 0  # the pieces before the bad one were written
    with pytest.raises(ICMOSError, match='incomplete'): mem.ask('anything?')
    assert not [t for t in threading.enumerate() if t.name.startswith('icmos-host') and t.name not in before]
