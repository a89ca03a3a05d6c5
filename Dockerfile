# syntax=docker/dockerfile:1
# The translation service (`nmt serve`) with a model bundle inside the image. See docs/deployment.md.
#
#   docker build -t nmt .                                  # CPU image; torch from the PyTorch CPU index
#   docker build -t nmt --build-arg TORCH_FROM=wheels .    # torch from ./wheels/torch-*.whl (offline builds)
#   docker build -t nmt:gpu --build-arg BASE_IMAGE=nvidia/cuda:12.4.1-runtime-ubuntu22.04 \
#                --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu124 .
#   docker run -d -p 127.0.0.1:8000:8000 nmt               # then: curl localhost:8000/ready
#
# Build arguments:
#   BASE_IMAGE   any Debian/Ubuntu image; Python 3.10+ and venv are installed with apt when missing
#                (python:3.11-slim has them; nvidia/cuda:*-ubuntu22.04 gets Ubuntu's Python 3.10)
#   TORCH_FROM   index: pip install TORCH_SPEC from TORCH_INDEX;
#                wheels: install the one torch-*.whl in the build context's wheels/ (must match the image's Python)
#   TORCH_INDEX  default https://download.pytorch.org/whl/cpu (a CPU torch, ~5x smaller than PyPI's CUDA build)
#   TORCH_SPEC   default "torch>=2.2,<2.15", the range pyproject.toml accepts
#   MODELS_DIR   the models directory in the build context (one bundle per subdirectory) baked in as /models
#                (default models: the shipped bundles)

ARG BASE_IMAGE=python:3.11-slim
ARG TORCH_FROM=index

# ---- base: the chosen image with a Python that can make virtual environments -------------------------------------
FROM ${BASE_IMAGE} AS base
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN if ! python3 -c "import ensurepip, venv" 2>/dev/null; then \
        apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# ---- where torch comes from: nothing (use the index) or the context's wheels/ (only built when selected) ------------
FROM base AS torch-index
RUN mkdir -p /wheels

FROM base AS torch-wheels
COPY wheels/ /wheels/

FROM torch-${TORCH_FROM} AS torch-source

# ---- deps: a virtual environment with torch and the project's dependencies, but no project code, so that code
#      changes do not reinstall them ------------------------------------------------------------------------------------
FROM base AS deps
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG TORCH_SPEC="torch>=2.2,<2.15"
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN --mount=type=bind,from=torch-source,source=/wheels,target=/tmp/wheels \
    if ls /tmp/wheels/torch-*.whl >/dev/null 2>&1; then \
        pip install /tmp/wheels/torch-*.whl; \
    else \
        pip install --index-url "$TORCH_INDEX" "$TORCH_SPEC"; \
    fi
# Exactly the dependencies pyproject.toml declares, read from it (a stand-in package would have to copy its layout),
# in their own layer, so that a change to the source does not reinstall them.
COPY pyproject.toml /tmp/deps/
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/deps/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/deps/requirements.txt \
    && pip install -r /tmp/deps/requirements.txt \
    && rm -rf /tmp/deps

# ---- wheel: the project itself ---------------------------------------------------------------------------------------
FROM deps AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY nmt nmt
COPY model model
COPY training training
COPY app app
COPY models models
COPY scripts scripts
RUN pip wheel --no-deps -w /dist . && sha256sum /dist/*.whl > /wheel.sha256

# ---- model: the bundle, made world-readable without a second copy of it in the final image -------------------------
FROM base AS model
ARG MODELS_DIR=models
COPY ${MODELS_DIR}/ /models/
RUN chmod -R a+rX,go-w /models

# ---- runtime ---------------------------------------------------------------------------------------------------------
FROM base AS runtime
# /files: the replicas' shared translated files (NMT_FILES_DIR in docker-compose.yml): a new named volume mounted
# there takes this directory's owner, so that the service, user nmt, can write in it.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/nmt --shell /usr/sbin/nologin nmt \
    && install -d -o nmt -g nmt -m 0700 /files
COPY --from=deps /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The project from its wheel, then a check that the service and its page are really there. The wheel's checksum is
# copied first because podman (buildah) leaves a bind mount's content out of its cache key: without it, a rebuild
# after a code change reused this layer and its old wheel. A COPY's key is its content.
COPY --from=wheel /wheel.sha256 /tmp/nmt-wheel.sha256
RUN --mount=type=bind,from=wheel,source=/dist,target=/tmp/dist \
    pip install --no-deps --no-index /tmp/dist/*.whl \
    && python -c "import nmt.cli, nmt.app.main, nmt.app.routes.page as p; assert (p.STATIC / 'index.html').is_file()" \
    && nmt serve --help >/dev/null

# The model last: a new model does not touch the layers above. Owned by root, readable by all: the service only
# reads it.
COPY --from=model /models /models
ENV NMT_MODELS_DIR=/models NMT_DEVICE=auto HOME=/home/nmt

USER nmt
WORKDIR /home/nmt
EXPOSE 8000
# /ready answers 200 once the model is loaded and warmed up; 503 before (and if the model thread died). No spaces in
# the Python: podman's Docker-compatible API splits healthcheck commands on spaces.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "__import__('urllib.request').request.urlopen('http://127.0.0.1:8000/ready',timeout=4)"]
CMD ["nmt", "serve", "--host", "0.0.0.0", "--port", "8000"]
