#!/bin/bash
# The calls every session*_gpu.sh shares, for a script SELF whose `jobs` mode is the chain: SELF=... R=... bash gpu_chain.sh MODE
#   p1 | p2 | p3 | emb   staging (session23_gpu.sh: the model in quarters, the wheels, MiniLM in halves)
#   go                   the model assembled and checked, the tree copied, `bash $SELF jobs` started in the background (session26_gpu.sh go)
#   collect WAIT         waits up to WAIT s while WAIT_FOR (a pgrep pattern) runs, then packs R into $OUT/$(basename R).tgz (session25_gpu.sh)
set -u
: "${SELF:?set SELF, the session script whose jobs run}" "${R:?set R, the results folder}"
case "${1:-}" in
p1|p2|p3|emb) bash reports/scripts/session23_gpu.sh $1;;
go) SELF=$SELF R=$R bash reports/scripts/session26_gpu.sh go;;
collect) WAIT_FOR="${WAIT_FOR:?set WAIT_FOR}" TAIL=${TAIL:-4} R=$R bash reports/scripts/session25_gpu.sh collect "${2:-560}";;
*) echo "usage: SELF=script R=folder bash gpu_chain.sh p1 | p2 | p3 | emb | go | collect WAIT" >&2; exit 2;;
esac
