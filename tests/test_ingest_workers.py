"""The write path's worker processes as a user's script meets them (a real subprocess): a script with no
`if __name__ == '__main__':` guard runs once, and its workers give what one process gives."""
import subprocess, sys

SCRIPT = '''
from icmos.core import ICMOSConfig
from icmos.ingest import HostStages, pieces_on_units
from icmos.store import load_tokenizer
print('SCRIPT RAN', flush=True)        # spawn / forkserver would run this again in every worker without the guard fix
tok, _ = load_tokenizer(ICMOSConfig(device='cpu'))
text = 'One sentence here. Another one!\\nA third line? Yes.\\n' * 200
pieces = [(text[i:i + 700], 700) for i in range(0, len(text), 700)] + [('', 0)]
got = {}
for w in (0, 2):
    hs = HostStages(tok, None, None, max_words=120, bm25=True, workers=w)
    assert hs.workers == w
    F = list(hs.run(pieces_on_units(iter(pieces), chunk_chars=500)))
    got[w] = ([u for f in F for u in f.spans], [f.lm_ids.tolist() for f in F], [f.feats['bm25'][0] for f in F])
assert got[0] == got[2]
print('UNITS', len(got[2][0]), flush=True)
'''

def test_unguarded_script_runs_once_with_workers(tmp_path):
    f = tmp_path / 'user_script.py'; f.write_text(SCRIPT)
    r = subprocess.run([sys.executable, str(f)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('SCRIPT RAN') == 1, r.stdout
    assert 'UNITS 800' in r.stdout, r.stdout
