# Sourced by trimmer_v3_gpu.sh, trimmer16_gpu.sh and the ingest scripts: what they do on a GPU host before their jobs.
# from_copy GUARD PREFIX SCRIPT ARGS...: on the GPU (DEV != cpu) and unless $GUARD is set, copy the tree to a new folder
#   (mktemp -d PREFIX.XXXX) and run SCRIPT (its path in the tree) there with ARGS and GUARD=1, in place of this shell. Every device
#   call copies the tree anew, and a job importing icmos while the next call's copy replaces it dies (session 11 lost 5 jobs so:
#   ModuleNotFoundError); a folder per call keeps each call's jobs on their own tree. Returns (and the caller goes on where it is)
#   on the CPU, inside the copy, or if the copy fails.
from_copy() { local guard=$1 prefix=$2 script=$3 d; shift 3
  { [ "$DEV" != cpu ] && [ -z "${!guard:-}" ]; } || return 0
  d=$(mktemp -d $prefix.XXXX) && cp -r . $d && cd $d && export $guard=1 && exec bash $script "$@"; }
# gpu_site: the jobs import the package of the current folder (after from_copy: the copy) and the wheels the staging carried in .gpuw
#   (../shared/gpu/stage-smollm2.sh: bm25s, the KJV filler of prose_needle), installed once per host into /tmp/site
gpu_site() { export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
  [ -d .gpuw ] && [ ! -f /tmp/site/.gpuw_done ] && $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .gpuw/*.whl && touch /tmp/site/.gpuw_done; }
# ingest_prep: what ingest_gpu.sh and ingest_host_ab_gpu.sh do first: the results folder $R, MiniLM from .emb if carried (else
#   ICMOS_EMBEDDER as set), the .gpuw wheels and PYTHONPATH (gpu_site), the host's cores and GPU, and the model $M converted once
ingest_prep() { mkdir -p $R
  if [ -d .emb/minilm ]; then mkdir -p /root/emb && cp -r .emb/minilm/. /root/emb/; export ICMOS_EMBEDDER=/root/emb; fi
  PY=${PY:-python3} gpu_site
  nproc; command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
  python3 -c "from icmos.core import load_model, ICMOSConfig; load_model(ICMOSConfig(model='$M', device='cpu')); print('model converted')" || exit 3; }
