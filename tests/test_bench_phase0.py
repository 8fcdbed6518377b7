"`icmos bench phase0` end to end, as a separate process: exit codes, error lines, the CSV and resuming."
import csv, subprocess, sys

RUN = [sys.executable, '-c', 'import sys; from icmos.cli import main; sys.exit(main())', 'bench', 'phase0']
COLS = 'method,task,context_tokens,budget_tokens,n,accuracy,prefill_tok_s,decode_tok_s,peak_gpu_mb,peak_host_mb,device,model'

def bench(*args):
    return subprocess.run(RUN + list(args), capture_output=True, text=True, timeout=900)

def test_bad_input_is_one_line_and_exit_2(tmp_path):
    out = str(tmp_path / 'r.csv')
    for args, msg in [(['--methods', 'nope'], "unknown method 'nope'"), (['--tasks', 'nope'], "unknown task 'nope'"),
                      (['--n', '0'], 'n: must be at least 1'), (['--lengths', '100'], "below the minimum of task 'passkey'"),
                      (['--lengths', 'x'], "cannot read 'x'")]:
        r = bench(*args, '--out', out)
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith('icmos: error: ') and msg in r.stderr and r.stderr.count('\n') == 1, r.stderr
    assert not (tmp_path / 'r.csv').exists()  # nothing written on bad input

def test_run_then_resume(tmp_path):
    out = tmp_path / 'r.csv'
    args = ['--tasks', 'passkey', '--lengths', '400', '--n', '1', '--out', str(out), '--device', 'cpu', '--no-progress', '--max-new-tokens', '12']
    r = bench(*args); assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open()))
    assert out.read_text().splitlines()[0] == COLS and len(rows) == 1
    assert rows[0]['method'] == 'full' and rows[0]['context_tokens'] == '400' and rows[0]['accuracy'] in ('0.0', '1.0')
    before = out.read_text()
    r = bench(*args); assert r.returncode == 0 and 'skipped' in r.stderr
    assert out.read_text() == before   # resumed: nothing rerun, nothing rewritten
    r = bench(*args[:5], '2', *args[6:])   # same cell, another n
    assert r.returncode == 2 and 'already has full/passkey/400 with n=1' in r.stderr
