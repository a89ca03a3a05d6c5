#!/usr/bin/env bash
# The repeatable proof that Dockerfile and docker-compose.yml build and serve: builds the image with podman, runs it,
# waits for its healthcheck, translates over HTTP and sends one file of every format the service translates through
# POST /translate_file (scripts/translate_file_formats.py); then translates through docker-compose (one service, then
# the "scale" profile's replicas behind HAProxy), and tears it all down.
# Works on a machine with no Docker engine and no Docker Hub (Debian's podman, a debootstrapped base image, torch
# from a local wheel); see docs/deployment.md. Run from anywhere, as root (it installs packages when missing).
#
#   scripts/container-smoke.sh                      # bakes models/ (the shipped bundles) into the image
#   MODELS_DIR=path/to/bundles scripts/container-smoke.sh   # a directory of bundles, one per subdirectory
#   STAND_IN_MODEL=1 scripts/container-smoke.sh     # a toy bundle trained in seconds (.podman/stand-in-models)
#
# Environment: MODELS_DIR, STAND_IN_MODEL, IMAGE (default localhost/nmt:smoke), PORT (published on 127.0.0.1,
# default 18000), COMPOSE_PORT (default 18001), TORCH_VERSION (default 2.13.0), HEALTH_TIMEOUT (s, default 300),
# TEXT (the sentence to translate, and the one each sample file holds), SKIP_COMPOSE=1, SCALE_PORT (the balancer of the
# compose profile "scale", default 18002), SKIP_SCALE=1.
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PODMAN_DIR=$ROOT/.podman
IMAGE=${IMAGE:-localhost/nmt:smoke}
PORT=${PORT:-18000}
COMPOSE_PORT=${COMPOSE_PORT:-18001}
SCALE_PORT=${SCALE_PORT:-18002}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-300}
BASE_IMAGE=docker.io/library/python:3.11-slim
CONTAINER=nmt-smoke
PROJECT=nmt-smoke
export CONTAINERS_CONF=$PODMAN_DIR/containers.conf

T0=$EPOCHREALTIME
SERVICE_PID=""
RUN_STARTED=""
COMPOSE_STARTED=""
SUMMARY=()

step() { printf '\n==== [%s] %s ====\n' "$(date +%T)" "$*"; }
note() { SUMMARY+=("$*"); echo "-> $*"; }
die() { echo "FAILED: $*" >&2; exit 1; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$EPOCHREALTIME"; }

cleanup() {
    local rc=$?
    trap - EXIT
    set +e
    if [ -n "$RUN_STARTED" ]; then
        step "cleanup: removing container $CONTAINER"
        podman rm -f -t 10 "$CONTAINER" >/dev/null
    fi
    if [ -n "$COMPOSE_STARTED" ]; then
        step "cleanup: docker-compose down"
        docker-compose -f "$ROOT/docker-compose.yml" -p "$PROJECT" --profile scale down -v --remove-orphans
    fi
    if [ -n "$SERVICE_PID" ]; then
        echo "stopping podman system service (pid $SERVICE_PID)"
        kill "$SERVICE_PID" 2>/dev/null
        wait "$SERVICE_PID" 2>/dev/null
        rm -f "$PODMAN_DIR/podman.sock"
    fi
    step "summary"
    printf '  %s\n' "${SUMMARY[@]}"
    if [ "$rc" -eq 0 ]; then
        echo "container smoke test PASSED in $(since "$T0") s"
    else
        echo "container smoke test FAILED (exit $rc) after $(since "$T0") s" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'die "line $LINENO: $BASH_COMMAND"' ERR

# Waits until `podman healthcheck run` passes (no systemd here, so podman runs no healthchecks by itself). $2: the
# published port, to tell a failing healthcheck command from a service that is not ready.
wait_healthy() {
    local ctr=$1 port=$2 t=$EPOCHREALTIME deadline=$((SECONDS + HEALTH_TIMEOUT)) state ready_but_unhealthy=0
    while :; do
        state=$(podman inspect -f '{{.State.Status}}' "$ctr")
        if [ "$state" != running ]; then
            podman logs --tail 40 "$ctr" || true
            die "container $ctr is $state, not running"
        fi
        if podman healthcheck run "$ctr" >/dev/null 2>&1; then
            break
        fi
        if curl -fsS --max-time 5 "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then
            ready_but_unhealthy=$((ready_but_unhealthy + 1))
            if [ "$ready_but_unhealthy" -ge 5 ]; then
                podman healthcheck run "$ctr" || true
                podman inspect -f '{{json .Config.Healthcheck}}' "$ctr" || true
                die "/ready answers 200 on port $port but the healthcheck of $ctr keeps failing"
            fi
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            podman logs --tail 40 "$ctr" || true
            die "container $ctr not healthy after ${HEALTH_TIMEOUT}s"
        fi
        sleep 2
    done
    HEALTHY_AFTER=$(since "$t")
    echo "healthy after ${HEALTHY_AFTER} s (health status: $(podman inspect -f '{{.State.Health.Status}}' "$ctr"))"
}

# "$@": a docker-compose command line; takes the project down and checks that none of its containers is left.
compose_down() {
    "$@" down -v --remove-orphans
    COMPOSE_STARTED=""
    [ -z "$(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT")" ] || die "containers left after down"
}

# A digest of the Python files of the package nmt, by their paths in it: below $1, or where Python imports nmt from.
CODE_DIGEST='
import hashlib, os, pathlib, sys
root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__import__("nmt").__file__))
files = sorted(pathlib.Path(d, f) for d, _, names in os.walk(root, followlinks=True) for f in names if f.endswith(".py"))
digest = hashlib.sha256()
for path in files:
    digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
print(digest.hexdigest(), len(files))
'

# POSTs to /v1/translate and /translate on port $1, prints the answers and checks that they hold a translation.
translate() {
    local port=$1 body answer
    body=$(python3 -c 'import json, sys; print(json.dumps({"text": sys.argv[1]}))' "$TEXT")
    echo "POST http://127.0.0.1:$port/v1/translate $body"
    answer=$(curl -fsS --max-time 60 -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/v1/translate")
    echo "$answer"
    python3 -c 'import json, sys; t = json.loads(sys.argv[1])["translations"][0]["text"]; assert t.strip(), "empty"' \
        "$answer" || die "no translation in the answer of /v1/translate"
    TRANSLATION_JSON=$answer
    body=$(python3 -c 'import json, sys; print(json.dumps({"q": sys.argv[1], "source": sys.argv[2], "target": sys.argv[3]}))' \
        "$TEXT" "$SRC_LANG" "$TGT_LANG")
    echo "POST http://127.0.0.1:$port/translate $body"
    answer=$(curl -fsS --max-time 60 -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/translate")
    echo "$answer"
    python3 -c 'import json, sys; assert json.loads(sys.argv[1])["translatedText"].strip()' "$answer" \
        || die "no translatedText in the answer of /translate"
}

# ------------------------------------------------------------------------------------------------------------------
step "1. podman, runc, debootstrap, docker-compose"
missing=()
for cmd in podman runc slirp4netns fuse-overlayfs newuidmap debootstrap docker-compose curl; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "missing: ${missing[*]}; installing with apt-get"
    [ "$(id -u)" -eq 0 ] || die "run as root to install podman & co (or install them: see docs/deployment.md)"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y podman fuse-overlayfs slirp4netns uidmap runc debootstrap \
        docker-compose curl
fi

mkdir -p "$PODMAN_DIR"
# ulimits: without them every container fails (setrlimit: Operation not permitted); crun fails here (cgroups in
# hybrid mode), runc works; the host's CA bundle reaches pip and apt inside builds through the proxy.
cat > "$CONTAINERS_CONF" <<'EOF'
[containers]
volumes = ["/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro"]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
echo "wrote $CONTAINERS_CONF"
echo "$(podman --version); $(docker-compose --version)"   # (after: podman reads $CONTAINERS_CONF)

# ------------------------------------------------------------------------------------------------------------------
step "2. base image $BASE_IMAGE"
if podman image exists "$BASE_IMAGE"; then
    echo "present"
else
    if ! podman image exists localhost/debian:bookworm; then
        # apt's sources in either form (one-line .list or deb822 .sources), whichever files exist
        mirror=${DEBIAN_MIRROR:-$(python3 "$ROOT/scripts/debian_mirror.py" --suite bookworm || true)}
        mirror=${mirror:-http://deb.debian.org/debian}
        rootfs=$(mktemp -d /var/tmp/nmt-rootfs.XXXXXX)
        echo "debootstrap bookworm from $mirror into $rootfs"
        debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$PODMAN_DIR/debootstrap.log" 2>&1 \
            || { tail -20 "$PODMAN_DIR/debootstrap.log"; die "debootstrap"; }
        tar --numeric-owner -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - localhost/debian:bookworm
        rm -rf "$rootfs"
    fi
    # A stand-in for the official image: Python in /usr/bin instead of /usr/local/bin, otherwise the same use.
    # Built without the CA-bundle mount of containers.conf: installing ca-certificates replaces that very file
    # ("Device or resource busy"), and apt needs no proxy CA (http mirror).
    grep -v '^volumes' "$CONTAINERS_CONF" > "$PODMAN_DIR/containers-base.conf"
    empty=$(mktemp -d)
    CONTAINERS_CONF=$PODMAN_DIR/containers-base.conf podman build --format docker -t "$BASE_IMAGE" -f - "$empty" <<'EOF'
FROM localhost/debian:bookworm
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv python3-pip \
       python-is-python3 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED
CMD ["python3"]
EOF
    rmdir "$empty"
fi

# ------------------------------------------------------------------------------------------------------------------
step "3. torch CPU wheel in wheels/"
if compgen -G "wheels/torch-*.whl" >/dev/null; then
    ls -l wheels/torch-*.whl
else
    # the CPU wheel that pip finds here; it must match the image's Python (3.11)
    python3 -m pip download "torch==$TORCH_VERSION" --no-deps -d wheels/
fi
[ "$(compgen -G 'wheels/torch-*.whl' | wc -l)" -eq 1 ] || die "wheels/ must hold exactly one torch-*.whl"

# ------------------------------------------------------------------------------------------------------------------
step "4. model bundle"
if [ "${STAND_IN_MODEL:-0}" = 1 ]; then
    MODELS_DIR=.podman/stand-in-models
    if [ ! -f "$MODELS_DIR/toy/manifest.json" ]; then
        echo "training a toy reversal model (alpha beta -> BETA ALPHA) as a stand-in bundle"
        python3 - "$PODMAN_DIR" <<'EOF'
import random, shutil, sys
from pathlib import Path
from nmt.training.config import Config
from nmt.training.train import run_training

root = Path(sys.argv[1])
run = root / "stand-in-run"
shutil.rmtree(run, ignore_errors=True)
words = "alpha beta gamma delta eps zeta eta theta iota kappa lam mu nu xi omi pi rho sigma tau ups".split()
def pairs(n, seed):
    rng = random.Random(seed)
    for _ in range(n):
        w = [rng.choice(words) for _ in range(rng.randint(2, 7))]
        yield f"{' '.join(w)}\t{' '.join(reversed(w)).upper()}\n"
run.mkdir(parents=True)
(run / "train.tsv").write_text("".join(pairs(3000, 0)))
(run / "dev.tsv").write_text("".join(pairs(100, 1)))
run_training(Config.model_validate({
    "out_dir": str(run / "out"), "data": {"train": str(run / "train.tsv"), "dev": str(run / "dev.tsv")},
    "model": {"src_vocab_size": 60, "tgt_vocab_size": 60, "emb_dim": 32, "enc_hidden": 32, "dec_hidden": 64,
              "dropout": 0.1, "word_dropout": 0.0},
    "train": {"batch_tokens": 1500, "lr": 0.005, "warmup_steps": 50, "eval_every": 150, "max_steps": 300,
              "threads": 1}}))
shutil.rmtree(root / "stand-in-models", ignore_errors=True)
shutil.copytree(run / "out" / "best", root / "stand-in-models" / "toy")
shutil.rmtree(run)
EOF
    fi
    TEXT=${TEXT:-alpha beta gamma delta}
fi
MODELS_DIR=${MODELS_DIR:-models}
MODELS_DIR=${MODELS_DIR%/}
case "$(realpath "$MODELS_DIR")/" in
    "$ROOT"/*) MODELS_DIR=$(realpath --relative-to="$ROOT" "$MODELS_DIR") ;;
    *) die "MODELS_DIR must lie inside the build context $ROOT" ;;
esac
# The bundle the checks translate with: the first of the directory (the service serves them all).
MODEL_DIR=$(find "$MODELS_DIR" -mindepth 2 -maxdepth 2 -name manifest.json -printf '%h\n' | sort | head -n 1)
[ -n "$MODEL_DIR" ] || die "no model bundle in $MODELS_DIR (train one, set MODELS_DIR, or STAND_IN_MODEL=1)"
TEXT=${TEXT:-In the beginning God created the heavens and the earth.}
read -r SRC_LANG TGT_LANG < <(python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(c["src_lang"], c["tgt_lang"])' \
    "$MODEL_DIR/config.json")
echo "MODELS_DIR=$MODELS_DIR ($(du -sh "$MODELS_DIR" | cut -f1)); checked with $MODEL_DIR, $SRC_LANG -> $TGT_LANG"
note "model bundles: $MODELS_DIR"

# ------------------------------------------------------------------------------------------------------------------
step "5. podman build --format docker -t $IMAGE ."
t=$EPOCHREALTIME
podman build --format docker -t "$IMAGE" --build-arg TORCH_FROM=wheels --build-arg "MODELS_DIR=$MODELS_DIR" .
build_s=$(since "$t")
size=$(podman image inspect -f '{{.Size}}' "$IMAGE")
healthcheck=$(podman image inspect -f '{{json .Config.Healthcheck}}' "$IMAGE")
user=$(podman image inspect -f '{{.Config.User}}' "$IMAGE")
[ "$healthcheck" != null ] && [ -n "$healthcheck" ] || die "the image has no HEALTHCHECK"
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || die "the image runs as root"
echo "healthcheck: $healthcheck"
# The image must hold this checkout's code, not a cached layer's (the Dockerfile's wheel checksum): the same digest
# of the package's Python files, here through typecheck/nmt's links and there where the wheel installed them.
code=$(python3 -c "$CODE_DIGEST" typecheck/nmt)
image_code=$(podman run --rm --entrypoint python "$IMAGE" -c "$CODE_DIGEST")
[ "$code" = "$image_code" ] || die "the image's code is not this checkout's (digest $image_code, here $code)"
note "build: ${build_s} s; image $IMAGE: $((size / 1000000)) MB; user $user; its code is this checkout's"

# ------------------------------------------------------------------------------------------------------------------
step "6. podman run -p 127.0.0.1:$PORT:8000 $IMAGE"
podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
RUN_STARTED=1
podman run -d --name "$CONTAINER" -p "127.0.0.1:$PORT:8000" "$IMAGE"
echo "running as: $(podman exec "$CONTAINER" id)"
wait_healthy "$CONTAINER" "$PORT"
note "podman run: healthy after ${HEALTHY_AFTER} s"

step "7. translate over HTTP (podman run)"
translate "$PORT"
note "podman run: /v1/translate -> $TRANSLATION_JSON"

step "8. one file of every format through POST /translate_file (podman run)"
t=$EPOCHREALTIME
python3 "$ROOT/scripts/translate_file_formats.py" "http://127.0.0.1:$PORT" --source "$SRC_LANG" --target "$TGT_LANG" \
    --text "$TEXT" | tee "$PODMAN_DIR/formats.log" || die "a file format failed in the image (above; .podman/formats.log)"
note "podman run: $(tail -n 1 "$PODMAN_DIR/formats.log") in $(since "$t") s"
podman rm -f -t 10 "$CONTAINER" >/dev/null
RUN_STARTED=""
note "podman run: container removed"

if [ "${SKIP_COMPOSE:-0}" = 1 ]; then
    note "docker-compose: skipped (SKIP_COMPOSE=1)"
    exit 0
fi

# ------------------------------------------------------------------------------------------------------------------
step "9. docker-compose against podman's Docker-compatible socket"
rm -f "$PODMAN_DIR/podman.sock"
podman system service --time=0 "unix://$PODMAN_DIR/podman.sock" &
SERVICE_PID=$!
export DOCKER_HOST=unix://$PODMAN_DIR/podman.sock
for _ in $(seq 50); do
    curl -fsS --unix-socket "$PODMAN_DIR/podman.sock" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS --unix-socket "$PODMAN_DIR/podman.sock" http://d/_ping >/dev/null || die "podman system service did not start"
echo "podman system service pid $SERVICE_PID on $DOCKER_HOST"
unset NMT_MODELS_DIR NMT_GPU_PORT   # the compose defaults, whatever this shell holds
export NMT_IMAGE=$IMAGE NMT_BUILD_MODELS=$MODELS_DIR TORCH_FROM=wheels NMT_BIND=127.0.0.1 NMT_PORT=$COMPOSE_PORT
compose=(docker-compose -f "$ROOT/docker-compose.yml" -p "$PROJECT")
"${compose[@]}" config -q
"${compose[@]}" --profile gpu config -q
"${compose[@]}" --profile scale config -q
echo "docker-compose.yml is valid (alone, with --profile gpu, with --profile scale)"
"${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true

step "10. docker-compose up -d --build"
t=$EPOCHREALTIME
COMPOSE_STARTED=1
"${compose[@]}" up -d --build
note "docker-compose up -d --build: $(since "$t") s"
cid=$("${compose[@]}" ps -q nmt)
[ -n "$cid" ] || die "docker-compose started no nmt container"
wait_healthy "$cid" "$COMPOSE_PORT"
"${compose[@]}" ps
note "docker-compose: healthy after ${HEALTHY_AFTER} s"

step "11. translate over HTTP (docker-compose)"
translate "$COMPOSE_PORT"
note "docker-compose: /v1/translate -> $TRANSLATION_JSON"

step "12. docker-compose down -v"
compose_down "${compose[@]}"
note "docker-compose down -v: no containers left"

if [ "${SKIP_SCALE:-0}" = 1 ]; then
    note "docker-compose --profile scale: skipped (SKIP_SCALE=1)"
    exit 0
fi

# ------------------------------------------------------------------------------------------------------------------
step "13. docker-compose --profile scale up -d --build nmt-lb (3 replicas behind HAProxy)"
export NMT_LB_IMAGE=${IMAGE%:*}-lb:${IMAGE##*:} NMT_LB_PORT=$SCALE_PORT
scale=("${compose[@]}" --profile scale)
t=$EPOCHREALTIME
COMPOSE_STARTED=1
"${scale[@]}" up -d --build nmt-lb
note "docker-compose --profile scale up -d --build nmt-lb: $(since "$t") s"
for replica in nmt-1 nmt-2 nmt-3; do
    wait_healthy "$("${scale[@]}" ps -q "$replica")" ""   # no published port: the healthcheck alone
done
deadline=$((SECONDS + 60))
until curl -fsS --max-time 5 "http://127.0.0.1:$SCALE_PORT/ready" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "the balancer on port $SCALE_PORT does not answer /ready"
    sleep 1
done
note "docker-compose --profile scale: replicas healthy and the balancer answering after $(since "$t") s"

step "14. translate through the balancer"
for _ in 1 2 3; do translate "$SCALE_PORT"; done
"${scale[@]}" ps
served=$("${scale[@]}" logs --no-color nmt-lb | grep -oE 'replicas/nmt-[0-9]+ ' | sort | uniq -c | tr -s ' ' | paste -sd,)
echo "requests per replica (haproxy's log):$served"
[ "$(grep -o 'nmt-' <<<"$served" | wc -l)" -eq 3 ] || die "not every replica got a request: $served"
note "docker-compose --profile scale: answers from all 3 replicas through HAProxy ($served)"

step "15. docker-compose --profile scale down -v"
compose_down "${scale[@]}"
note "docker-compose --profile scale down -v: no containers left"
