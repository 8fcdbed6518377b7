"""The persistent store under faults, at CI size: kill -9 during ingest / delete / compaction, namespace isolation,
two writers, damaged files, MiniLM keys read back equal, and the CLI end to end."""
import contextlib, io, json, os, signal, subprocess, time
from pathlib import Path
import pytest
from conftest import BIN


@pytest.fixture(scope='module')
def tok():
    from icmos.core import ICMOSConfig
    from icmos.store import load_tokenizer
    return load_tokenizer(ICMOSConfig(device='cpu'))[0]

@pytest.fixture(scope='module')
def docs():
    from icmos.bench_store import make_docs
    return make_docs(18)

def test_kill9_random_and_at_every_fault_point(tmp_path, tok, docs):
    "12 kills at random moments + one at each named point of the write protocol: the store opens, checks clean, holds exactly the committed sources and answers each one's question."
    from icmos.bench_store import fault_trials
    from icmos.store import FAULT_POINTS
    res = fault_trials(tmp_path / 's', tok, docs, trials=12, faults=FAULT_POINTS, seed=1, max_delay=0.8)
    assert len(res) == 12 + len(FAULT_POINTS)
    assert all(r['killed_by'] == signal.SIGKILL for r in res), [(r['fault'], r['killed_by']) for r in res]
    assert [r['problems'] for r in res] == [[]] * len(res)
    assert sum(r['lost'] + r['extra'] + r['corrupt_open'] + r['wrong_answers'] for r in res) == 0
    assert {r['in_flight'] for r in res if r['kind'] == 'fault'} >= {'ingest', 'rm', 'compact'}  # the named points cover all three

def test_namespace_fuzz(tmp_path, tok, docs):
    "1,000 random queries over 3 namespaces that share verses: no candidate block of any ranker comes from another namespace."
    from icmos.store import Store, model_fingerprint
    from icmos.bench_store import namespace_fuzz
    with Store.open(tmp_path / 's', model_fingerprint(tok), 'none', tok=tok) as st:
        for d in docs: st.ingest(d['text'], d['namespace'], f"doc{d['key']}", is_text=True)
        st.ingest(docs[0]['text'], 'ns1', 'doc0', is_text=True)  # the very same text in two namespaces
    r = namespace_fuzz(tmp_path / 's', docs, queries=1000, seed=2)
    assert r['queries'] == 1000 and r['blocks'] > 3000
    assert r['cross_namespace_hits'] == 0

def test_two_writers(tmp_path, tok, docs):
    from icmos.bench_store import two_writers
    r = two_writers(tmp_path / 's', tok, docs[:8])
    assert r['both_ok'] and r['sources'] == 8 and r['problems'] == [], r
    assert 'is busy: another process (pid' in r['busy_message'] and 'waited 0.3 s' in r['busy_message']

def test_damaged_files_fail_clearly_and_the_rest_works(tmp_path, tok, docs):
    from icmos.core import ICMOSError
    from icmos.runtime import RuntimeConfig
    from icmos.store import MANIFEST, Store, model_fingerprint
    fp = model_fingerprint(tok)
    st = Store.open(tmp_path / 's', fp, 'none', tok=tok)
    for d in docs[:6]: st.ingest(d['text'], d['namespace'], f"doc{d['key']}", is_text=True)
    src = st.ls('ns0')[0]; shard = st.shards / src['shard']; good = shard.read_bytes()
    for damage, msg in ((good[:len(good) // 2], 'is truncated'), (good[:-1] + bytes([good[-1] ^ 1]), 'is damaged: its sha256 differs')):
        shard.write_bytes(damage)
        with pytest.raises(ICMOSError, match=msg) as e: st.memory('ns0', RuntimeConfig(rankers='bm25'))
        assert str(shard) in str(e.value) and f"--id {src['id']}" in str(e.value)
        assert len(st.check()) == 1 and str(shard) in st.check()[0]
        mem = st.memory('ns1', RuntimeConfig(rankers='bm25'))  # other namespaces read fine, ingest and rm work
        assert docs[1]['answer'] in mem.blocks[mem.retrieve(docs[1]['question'])[0][0]].text
    assert st.ingest(docs[6]['text'], 'ns0', 'doc6', is_text=True).new
    st.rm(id=src['id']); st.compact()
    assert st.check() == [] and len(st.memory('ns0', RuntimeConfig(rankers='bm25')).blocks) > 0
    bad = tmp_path / 'bad.txt'; bad.write_bytes(b'ok text. \xff\xfe broken')
    with pytest.raises(ICMOSError, match=f'{bad} is not UTF-8 text'): st.ingest(bad, 'ns0')
    empty = tmp_path / 'empty.txt'; empty.write_bytes(b'')
    with pytest.raises(ICMOSError, match=f'file {empty} is empty'): st.ingest(empty, 'ns0')
    assert st.check() == [] and st.con.execute("SELECT count(*) FROM sources WHERE state='pending'").fetchone()[0] == 0
    st.con.execute("UPDATE meta SET value='2' WHERE key='schema_version'"); st.close()
    with pytest.raises(ICMOSError, match='has schema version 2, newer than this icmos reads'): Store.open(tmp_path / 's')
    (tmp_path / 's' / MANIFEST).unlink()
    with pytest.raises(ICMOSError, match=f"{tmp_path / 's' / MANIFEST} is missing"): Store.open(tmp_path / 's', fp, 'none')

def test_minilm_keys_read_back_equal(tmp_path, tok, docs):
    "The one MiniLM test: a stored memory ranks exactly as a memory written directly (exact index), and the DNII one finds the facts."
    from icmos.runtime import Memory, RuntimeConfig
    from icmos.store import Store, encoder_fingerprint, model_fingerprint
    cfg = RuntimeConfig(rankers='bm25,minilm', index='flat', rerank='none')  # no LM here: retrieval only
    with Store.open(tmp_path / 's', model_fingerprint(tok), encoder_fingerprint('minilm'), tok=tok) as st:
        for d in docs[:2]: st.ingest(d['text'], 'ns', f"doc{d['key']}", is_text=True)
        mem, mem_dnii = st.memory('ns', cfg), st.memory('ns', RuntimeConfig(rankers='bm25,minilm'))
    direct = Memory(cfg, tok=tok, load=False)  # no model: retrieval only
    for d in docs[:2]: direct.write(d['text'], source=f"doc{d['key']}")
    for q in [d['question'] for d in docs[:2]] + ['the LORD spake unto Moses', 'bread and wine']:
        assert mem.rank(q) == direct.rank(q) or [b for b, _ in mem.rank(q)[1]] == [b for b, _ in direct.rank(q)[1]], q
        assert mem.retrieve(q)[0] == direct.retrieve(q)[0], q
    for d in docs[:2]: assert any(d['answer'] in mem_dnii.blocks[b].text for b in mem_dnii.retrieve(d['question'])[0])

def _churn(path, fp, tok, docs, seconds, q, role):
    "A writer for `seconds` (a worker process): role 'deleter' ingests docs and deletes a random one of them once 3 are in (so readers see them, and a deleted newest id is reused after compaction); 'compactor' compacts; then the deleter removes what it added."
    import random
    from icmos.store import Store, StoreConfig
    n, end, live, rng = 0, time.monotonic() + seconds, [], random.Random(0)
    try:
        with Store.open(path, fp, 'none', tok=tok, config=StoreConfig(lock_timeout=30)) as st:
            while time.monotonic() < end:
                if role == 'deleter':
                    d = docs[n % len(docs)]; r = st.ingest(d['text'], d['namespace'], f"doc{d['key']}", is_text=True)
                    if r.new: live.append(r.id)
                    if len(live) >= 3: st.rm(id=live.pop(rng.randrange(len(live))))
                    time.sleep(0.01)
                else: st.compact(); time.sleep(0.02)
                # (both pause: a writer that re-takes the lock at once starves the other, whose lock polls every 50 ms)
                n += 1
            for i in live: st.rm(id=i)
        q.put((role, n, ''))
    except Exception as e: q.put((role, n, repr(e)))

def test_readers_while_deleting_and_compacting(tmp_path, tok, docs):
    "One process ingests + deletes, one compacts (VACUUM, shard files removed, source ids reused), while this one keeps opening the store and answering: no error, no wrong or foreign block."
    from icmos.bench_store import _processes
    from icmos.runtime import RuntimeConfig
    from icmos.store import Store, model_fingerprint
    fp, ctx, cfg = model_fingerprint(tok), _processes(), RuntimeConfig(rankers='bm25', hops=1, top_k=1)
    keep, churn = docs[:3], docs[3:9]  # kept: one per namespace, always there; churned: come and go
    with Store.open(tmp_path / 's', fp, 'none', tok=tok) as st:
        for d in keep: st.ingest(d['text'], d['namespace'], f"doc{d['key']}", is_text=True)
    q = ctx.Queue()
    ps = [ctx.Process(target=_churn, args=(str(tmp_path / 's'), fp, tok, churn, 3.0, q, role), daemon=True) for role in ('deleter', 'compactor')]
    for p in ps: p.start()
    opens, answered, errors, wrong = 0, 0, [], []
    while any(p.is_alive() for p in ps) or opens < 5:
        try:
            with Store.open(tmp_path / 's', create=False) as st:
                opens += 1
                for ns in ('ns0', 'ns1', 'ns2'):
                    mem = st.memory(ns, cfg)
                    if {b.namespace for b in mem.blocks} != {ns}: wrong.append(f'blocks of {sorted({b.namespace for b in mem.blocks})} in {ns}')
                    for d in keep + churn:
                        if d['namespace'] != ns or f"doc{d['key']}" not in mem.sources: continue  # a churned doc not in this snapshot
                        b = mem.retrieve(d['question'])[0]; answered += 1
                        if not b or d['answer'] not in mem.blocks[b[0]].text: wrong.append(f"doc{d['key']} in {ns}")
        except Exception as e: errors.append(repr(e))
    for p in ps: p.join(30)
    done = sorted(q.get(timeout=30) for _ in ps)
    assert [e for _, _, e in done] == ['', ''], done
    assert all(n >= 3 for _, n, _ in done), done      # both writers really ran while we read
    assert errors == [] and wrong == [], (errors[:3], wrong[:3])
    assert opens >= 5 and answered >= 15
    with Store.open(tmp_path / 's', create=False) as st:
        assert st.check() == [] and sorted(s['name'] for s in st.ls()) == sorted(f"doc{d['key']}" for d in keep)

def test_reader_meets_a_source_deleted_mid_read(tmp_path, tok, docs, monkeypatch):
    "Deterministic race: between a reader's snapshot and its shard reads a writer deletes + compacts a source (its shard goes), and once also reuses its id for new content (same shard name, other bytes): the reader reads again, never reports damage."
    from icmos.runtime import RuntimeConfig
    from icmos.store import Store, model_fingerprint
    cfg = RuntimeConfig(rankers='bm25', hops=1, top_k=1)
    w = Store.open(tmp_path / 's', model_fingerprint(tok), 'none', tok=tok)
    w.ingest(docs[0]['text'], 'ns0', 'doc0', is_text=True)
    r = Store.open(tmp_path / 's', create=False); real = Store._read_shard
    for reuse in (False, True):
        sid = w.ingest(docs[3]['text'], 'ns0', 'doc3', is_text=True).id; raced = []
        def racing(self, src):
            if self is r and src['id'] == sid and not raced:
                raced.append(1); w.rm(id=sid); w.compact()
                if reuse: assert w.ingest(docs[6]['text'], 'ns0', 'doc6', is_text=True).id == sid  # the id and shard name come back
            return real(self, src)
        monkeypatch.setattr(Store, '_read_shard', racing)
        mem = r.memory('ns0', cfg)
        monkeypatch.setattr(Store, '_read_shard', real)
        assert raced and mem.sources == ['doc0'] + (['doc6'] if reuse else [])
        for d in (docs[0], docs[6]) if reuse else (docs[0],):
            assert d['answer'] in mem.blocks[mem.retrieve(d['question'])[0][0]].text
    w.close(); r.close()

def icmos(*args):
    return subprocess.run([str(BIN / 'icmos'), *args], capture_output=True, text=True, timeout=600)

def test_cli_end_to_end(tmp_path, docs):
    store = tmp_path / 'store'; files = []
    for d in docs[:3]:
        f = tmp_path / f"doc{d['key']}.txt"; f.write_text(d['text'], encoding='utf-8'); files.append(f)
    r = icmos('memory', 'ingest', str(store), *map(str, files), '--namespace', 'team', '--encoder', 'none', '--quiet')
    assert r.returncode == 0 and r.stdout.count('stored:') == 3, r.stderr
    r = icmos('memory', 'ingest', str(store), str(files[0]), '--namespace', 'team', '--quiet')
    assert r.returncode == 0 and 'already stored' in r.stdout
    d = docs[1]
    trace = tmp_path / 'trace.html'
    r = icmos('ask', '--memory', str(store), '--namespace', 'team', d['question'], '--device', 'cpu', '--json', '--quiet', '--budget', '1024',
              '--trace', str(trace))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    prov = out['blocks']
    assert prov and all(b['namespace'] == 'team' for b in prov)
    text = files[1].read_bytes()
    hit = [b for b in prov if b['source'] == 'doc1.txt' and d['answer'] in text[b['byte_start']:b['byte_end']].decode()]
    assert hit, prov
    page = trace.read_text()  # the trace shows where each block read comes from, as --json does
    for b in prov: assert f"<td>{b['block']}</td><td>{b['source']}</td><td>{b['source_id']}</td><td>team</td><td>{b['byte_start']:,}–{b['byte_end']:,}</td>" in page, b
    r = icmos('ask', '--memory', str(store), '--namespace', 'other', 'anything?', '--device', 'cpu')
    assert r.returncode == 2 and "namespace 'other'" in r.stderr and 'holds no sources' in r.stderr
    from icmos.cli import main  # the rest in-process: each `icmos` start costs seconds on 2 cores
    def run(*argv):
        o, e = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e): rc = main(list(argv))
        return rc, o.getvalue(), e.getvalue()
    # a store's units were cut when it was made (`icmos memory ingest --split`, records by default): asking with another split is refused
    rc, out, err = run('ask', '--memory', str(store), '--namespace', 'team', 'anything?', '--device', 'cpu', '--split', 'sentences')
    assert rc == 2 and "was written with split='records'" in err, err
    rc, out, err = run('memory', 'rm', str(store), 'doc1.txt'); assert rc == 0 and 'deleted sources' in out
    rc, out, err = run('memory', 'ls', str(store), '--json'); assert sorted(s['name'] for s in json.loads(out)) == ['doc0.txt', 'doc2.txt']
    rc, out, err = run('memory', 'rm', str(store), 'doc1.txt'); assert rc == 2 and 'no committed source matched' in err
    rc, out, err = run('memory', 'stats', str(store)); assert rc == 0 and json.loads(out)['sources'] == 2
    rc, out, err = run('memory', 'compact', str(store)); assert rc == 0 and json.loads(out)['sources'] == 1
    rc, out, err = run('memory', 'check', str(store)); assert rc == 0 and out.strip() == 'ok'
    rc, out, err = run('memory', 'ls', str(tmp_path / 'nowhere')); assert rc == 2 and 'no store at' in err
