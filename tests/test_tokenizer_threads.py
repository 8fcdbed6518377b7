"""The write path warns once when TOKENIZERS_PARALLELISM turns the tokenizers' own threads off for a large in-process write
(session 25: 195K against 611K tok/s at 1M tokens on an H200 host), and stays quiet otherwise."""
import warnings
import pytest
import icmos.ingest as ing
import icmos.runtime as rt


@pytest.fixture(scope='module')
def tok():
    from icmos.core import ICMOSConfig
    from icmos.store import load_tokenizer
    return load_tokenizer(ICMOSConfig(device='cpu'))[0]


@pytest.fixture(autouse=True)
def not_warned_yet(monkeypatch):
    monkeypatch.setattr(ing, '_tokpar_warned', False)


def test_warns_once(monkeypatch):
    monkeypatch.setenv('TOKENIZERS_PARALLELISM', 'false')
    with pytest.warns(UserWarning, match='TOKENIZERS_PARALLELISM=.false.*Unset it'):
        assert ing._check_tokenizer_threads(8 << 20, 0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert not ing._check_tokenizer_threads(8 << 20, 0)  # once per process


@pytest.mark.parametrize('env,n_bytes,workers', [(None, 8 << 20, 0), ('true', 8 << 20, 0), ('1', 8 << 20, 0), ('false ', 8 << 20, 0),
                                                 ('false', 1 << 20, 0), ('false', 8 << 20, 4)])
def test_quiet(monkeypatch, env, n_bytes, workers):
    "Threads on (unset, true, or a value the tokenizers library does not read as off), a small write, or worker processes (each tokenises on one thread by design): no warning."
    if env is None: monkeypatch.delenv('TOKENIZERS_PARALLELISM', raising=False)
    else: monkeypatch.setenv('TOKENIZERS_PARALLELISM', env)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert not ing._check_tokenizer_threads(n_bytes, workers)


def test_a_write_checks(monkeypatch, tok):
    "Memory.write's host stages call the check with the bytes written (here with the threshold lowered to any size)."
    monkeypatch.setattr(ing, '_TOKPAR_WARN_BYTES', 0)
    monkeypatch.setenv('TOKENIZERS_PARALLELISM', 'off')
    mem = rt.Memory(rt.RuntimeConfig(rankers='bm25', workers=0), tok=tok, load=False)
    with pytest.warns(UserWarning, match='TOKENIZERS_PARALLELISM') as rec:
        mem.write('The baker named her kitten Juniper. ' * 20)
    assert rec[0].filename == __file__, rec[0].filename  # the caller's line, not icmos's
    assert mem.n_tokens > 0


def test_a_store_ingest_checks(monkeypatch, tmp_path, tok):
    "The store's write path tokenises in-process too, through the same host stages: its ingest warns, at the caller's line."
    from icmos.store import Store, model_fingerprint
    monkeypatch.setattr(ing, '_TOKPAR_WARN_BYTES', 0)
    monkeypatch.setenv('TOKENIZERS_PARALLELISM', 'false')
    with Store.open(tmp_path / 's', model_fingerprint(tok), 'none', tok=tok) as st:
        with pytest.warns(UserWarning, match='TOKENIZERS_PARALLELISM') as rec:
            st.ingest('The baker named her kitten Juniper. ' * 20, 'default', 'doc', is_text=True)
    assert rec[0].filename == __file__, rec[0].filename  # stacklevel: the caller's line, not icmos's
