#!/usr/bin/env bash
# The wheels that a bare GPU machine lacks for benchmarks/gpu.sh, downloaded into .whl/ (.gitignore names it) at the
# versions installed here, for CPython 3.12 on x86-64 Linux: the lent H200 machines have torch, numpy,
# sentencepiece, sacrebleu, httpx, lxml and the like, but not the service's web stack nor these.
#
#     bash benchmarks/gpu_wheels.sh            # here, with the registry reachable; then carry .whl to the machine
set -euo pipefail
cd "$(dirname "$0")/.."
names=(fastapi starlette pydantic pydantic-core pydantic-settings python-dotenv annotated-types typing-inspection
       uvicorn python-multipart sentencex zstandard py3langid opentelemetry-api  # fastapi's telemetry imports it
       sentencepiece)  # the H200's own 0.2.2 stalls on repeated sentences (benchmarks/README.md)
platforms=()
for tag in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  platforms+=(--platform "$tag")
done
mkdir -p .whl
for name in "${names[@]}"; do
  version=$(python3 -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p')
  [ -n "$version" ] || { echo "gpu_wheels: $name is not installed here: pip install -e '.[dev,test]' first" >&2; exit 2; }
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp "${platforms[@]}" \
    -d .whl "$name==$version"
done
du -sh .whl
