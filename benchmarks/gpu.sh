#!/usr/bin/env bash
# Issue 21's GPU check, one prepared script of about four minutes on a GPU machine (a lent H200: five at most):
#   1. decoding: greedy and beam-5 sentences/s at batch sizes 1, 16, 64 and the whole test split (decode.py);
#   2. the service under 64 clients at beams 1 and 5, against offline `nmt evaluate` on the same GPU (load.py);
#   3. training: target tokens/s of the default model's training step, fp32 and bf16 autocast (train_speed.py).
# Each benchmark's output goes to $OUT/NAME.txt (default: gpu-results/), its figures also as one JSON line.
#
# On a bare machine (the lent H200s have torch, sentencepiece, sacrebleu, httpx, lxml, ... but not the web stack),
# first, here: `bash benchmarks/gpu_wheels.sh` (into .whl/), then on the device tool, carrying .whl:
#     bash benchmarks/gpu.sh
# DEVICE=cpu SECONDS_PER_RUN=1 runs the same on the CPU, as a check of the script itself.
# The device tool carries at most 64 MiB of working tree, and the tracked files are 66 MiB with the two shipped
# models (2026-12-04): leave models/ out of the index for the call and carry only the model it needs, then restore:
#     git rm -r --cached -q models && echo /models/ >> .git/info/exclude   # carry: .whl models/en-es models/__init__.py
#     ... the call ...; sed -i '/^\/models\/$/d' .git/info/exclude && git reset -q
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu-results}
device=${DEVICE:-cuda}
seconds=${SECONDS_PER_RUN:-8}
mkdir -p "$out"
source benchmarks/gpu_env.sh

run() {  # NAME COMMAND...: the command's output in $OUT/NAME.txt and on the terminal, its time beside it
  local name=$1 start=$SECONDS
  shift
  echo "== $name: $*"
  if "$@" 2>&1 | tr '\r' '\n' | grep -v '%|' | tee "$out/$name.txt"; then
    echo "== $name: $((SECONDS - start)) s"
  else
    echo "== $name: FAILED after $((SECONDS - start)) s (the others still run)"
  fi
}
run decode python3 benchmarks/decode.py --device "$device" --beams 1,5 --batch-sizes 1,16,64,all --seconds "$seconds" --json
run load python3 benchmarks/load.py --device "$device" --beams 1,5 --modes continuous --no-mixed --seconds "$seconds" --json
run train_speed python3 benchmarks/train_speed.py --device "$device" --attentions bahdanau --amps fp32,bf16 --steps 20 \
  --json
