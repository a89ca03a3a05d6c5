# Sourced by the GPU scripts (benchmarks/gpu.sh, benchmarks/gpu_train.sh): make `import nmt` work on a bare lent
# machine (the wheels of benchmarks/gpu_wheels.sh, carried as .whl, then this checkout, into /tmp/site), and say
# which GPU this is. Needs $out.
export PYTHONUNBUFFERED=1
if ! python3 -c "import nmt.app.main" 2>/dev/null; then  # not installed here: the wheels, then this checkout
  if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  fi
  python3 -m pip install -q --no-index --no-deps --no-build-isolation --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .  # --upgrade: a warm machine keeps the last call's copy otherwise
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(),
torch.cuda.get_device_name() if torch.cuda.is_available() else '')" | tee "$out/device.txt"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee -a "$out/device.txt"
fi
