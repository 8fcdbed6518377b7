"""`icmos ask --method icmos` end to end, as a user runs it (a real subprocess): answers, provenance, trace, bad input."""
import json, os, subprocess
from pathlib import Path
import pytest
from conftest import BIN

def icmos(*args, stdin=None, timeout=900):
    return subprocess.run([str(BIN / 'icmos'), *args], capture_output=True, text=True, input=stdin, timeout=timeout)

def _err(r):
    assert r.returncode == 2 and r.stdout == '', (r.returncode, r.stdout, r.stderr)
    lines = [l for l in r.stderr.strip().splitlines() if l.startswith('icmos: error: ')]
    assert len(lines) == 1, r.stderr
    return lines[0]

@pytest.fixture(scope='module')
def doc(tmp_path_factory):
    from icmos.cli import passkey_document
    text, q, key = passkey_document(2500, seed=3, depth=0.4)  # ~3.4K tokens: past the embedded model's effective window
    f = tmp_path_factory.mktemp('d') / 'doc.txt'; f.write_text(text, encoding='utf-8')
    return f, q, key

def test_icmos_answers_with_provenance_and_trace(doc, tmp_path):
    f, q, key = doc
    trace = tmp_path / 'why.html'
    r = icmos('ask', str(f), q, '--method', 'icmos', '--budget', '1024', '--device', 'cpu', '--json', '--quiet', '--trace', str(trace))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert key in d['text'] and d['method'] == 'icmos' and d['l3_tokens'] == 0  # the L3 tier is off by default
    assert d['budget_tokens'] <= 1024 < d['context_tokens']  # device KV within the budget, the document beyond it
    text = f.read_text()
    assert any(key in text[b['start']:b['end']] for b in d['blocks']) and all(b['source'] == 'doc.txt' for b in d['blocks'])
    page = trace.read_text()
    assert key in page and 'data:image/png;base64' in page  # the blocks read (with the key) are on the page

def test_one_million_tokens_streamed_on_the_cpu(tmp_path):
    "A ~1M-token file goes through the streaming write path (BM25 alone keeps it quick on 2 cores), with progress on stderr."
    from icmos.cli import passkey_document
    text, q, key = passkey_document(820_000, seed=5, depth=0.7)
    f = tmp_path / 'big.txt'; f.write_text(text, encoding='utf-8')
    r = icmos('ask', str(f), q, '--method', 'icmos', '--rankers', 'bm25', '--device', 'cpu', '--json')
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout.strip().splitlines()[-1])
    assert d['context_tokens'] > 1_000_000 and key in d['text'], d
    assert 'tok/s' in r.stderr and 'blocks' in r.stderr  # the write path's progress: rate and blocks

def test_runtime_bad_input(doc, tmp_path):
    f, q, _ = doc
    assert 'applies to the memory runtime' in _err(icmos('ask', str(f), q, '--top-k', '3'))
    assert 'applies to the memory runtime' in _err(icmos('ask', str(f), q, '--trace', str(tmp_path / 't.html')))
    assert '.html or .png' in _err(icmos('ask', str(f), q, '--method', 'icmos', '--trace', 'why.pdf'))
    assert "keys: must be" in _err(icmos('ask', str(f), q, '--method', 'icmos', '--keys', 'word'))
    assert "read: must be" in _err(icmos('ask', str(f), q, '--method', 'icmos', '--read', 'word'))
    assert "rerank: must be" in _err(icmos('ask', str(f), q, '--method', 'icmos', '--rerank', 'bert'))
    assert "lookalikes: must be" in _err(icmos('ask', str(f), q, '--method', 'icmos', '--lookalikes', 'some'))
    assert 'top_k' in _err(icmos('ask', str(f), q, '--method', 'icmos', '--top-k', '0'))
    assert 'no room for memory' in _err(icmos('ask', str(f), q, '--method', 'icmos', '--budget', '40', '--device', 'cpu'))
    empty = tmp_path / 'e.txt'; empty.write_text('')
    assert 'is empty' in _err(icmos('ask', str(empty), q, '--method', 'icmos', '--device', 'cpu'))
    binary = tmp_path / 'b.bin'; binary.write_bytes(b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 8)
    line = _err(icmos('ask', str(binary), q, '--method', 'icmos', '--device', 'cpu'))
    assert 'not UTF-8' in line or 'looks binary' in line
    huge = tmp_path / 'huge.txt'
    with huge.open('wb') as h: h.truncate((1 << 30) + 1)  # sparse: 1 GiB + 1 byte, refused before a byte is read
    assert 'limit of one source' in _err(icmos('ask', str(huge), q, '--method', 'icmos', '--device', 'cpu'))

def test_l3_kv_tier_from_the_cli(doc):
    "--kv-tier l3: the retrieved sentences read from their stored KV (RoPE re-rotated) answer within the budget; its limit and bad values fail clearly."
    f, q, key = doc
    r = icmos('ask', str(f), q, '--method', 'icmos', '--kv-tier', 'l3', '--budget', '1024', '--device', 'cpu', '--json', '--quiet')
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert key in d['text'] and d['budget_tokens'] <= 1024 < d['context_tokens'], d
    assert d['l3_tokens'] > 0, d  # the retrieved sentences were placed from stored KV, not prefilled (text: 0, as in the test above)
    assert "kv_tier: must be" in _err(icmos('ask', str(f), q, '--method', 'icmos', '--kv-tier', 'l4', '--device', 'cpu'))
    assert 'kv_max_gb' in _err(icmos('ask', str(f), q, '--method', 'icmos', '--kv-tier', 'l3', '--kv-max-gb', '0.001', '--device', 'cpu'))
    assert "give kv_tier='l3'" in _err(icmos('ask', str(f), q, '--method', 'icmos', '--kv-dir', '/tmp', '--device', 'cpu'))

def test_kv_policy_from_the_cli(doc, tmp_path):
    "--kv-policy: an answer longer than the budget leaves room for runs on, the device KV held at the budget; bad values fail clearly."
    f, q, key = doc
    verses = tmp_path / 'verses.txt'
    verses.write_text(' '.join(f'Verse {i}: the fields were green and the river ran slowly past the old town.' for i in range(40)), encoding='utf-8')
    r = icmos('ask', str(verses), 'Tell me about the town and the river, in as many sentences as you can.', '--method', 'icmos',
              '--kv-policy', 'streaming', '--budget', '256', '--max-new-tokens', '240', '--device', 'cpu', '--json', '--quiet',
              '--top-k-open', '0')  # read 4 places, as before top_k_open=2 (session 25): with 2 the model stopped at 97 tokens, too short a run
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert d['budget_tokens'] <= 256 and d['new_tokens'] > 256 - 51, d  # more answer than fits beside the template (51 tokens) alone
    assert 'kv_policy: must be one of' in _err(icmos('ask', str(f), q, '--method', 'icmos', '--kv-policy', 'lru', '--device', 'cpu'))
    assert "retrieve='force'" in _err(icmos('ask', str(f), q, '--method', 'icmos', '--kv-policy', 'tova', '--retrieve', 'auto', '--device', 'cpu'))
