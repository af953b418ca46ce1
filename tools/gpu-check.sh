#!/usr/bin/env bash
# The model path on a GPU machine, in under 8 minutes, every figure printed:
#   1. throughput at ViT-L/14 (random weights, built by the library): bf16 weights + SDPA, eager, against the
#      fp32 eager reference in the same process (evaluation and a training step, images/s and the ratio);
#   2. the same with torch.compile (RunConfig.compile); the warmup steps include the compilation;
#   3. bf16-vs-fp32 feature agreement (cosine similarity), the out-of-memory error for a batch that cannot fit
#      (the library's non-retryable OutOfMemoryError naming the batch size), and resume on the device
#      (train, checkpoint, resume, compare with the uninterrupted run).
# Needs Python with PyTorch, transformers and the detector's own imports (Pillow, pillow-heif, numpy, pydantic);
# no Node, no Temporal, no network. The detector is used from this checkout (PYTHONPATH), nothing is installed.
#
#   tools/gpu-check.sh                       # CUDA, ViT-L/14
#   tools/gpu-check.sh --no-compile          # skip phase 2
#   tools/gpu-check.sh --device cpu --quick  # tiny CLIP on CPU: a smoke test of this script (phase 2 off
#                                            # unless --compile: a cold CPU compile takes minutes)
#   PYTHON=/path/to/python tools/gpu-check.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
device=cuda
quick=0
compile=auto
while (($#)); do
  case "$1" in
    --device) device="${2:?--device needs cpu or cuda}"; shift 2 ;;
    --quick) quick=1; shift ;;
    --compile) compile=1; shift ;;
    --no-compile) compile=0; shift ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "gpu-check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$device" in cpu | cuda) ;; *) echo "gpu-check.sh: --device must be cpu or cuda, got '$device'" >&2; exit 2 ;; esac
if [[ "$compile" == auto ]]; then compile=$((1 - quick)); fi

python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$root/.venv/bin/python" ]]; then python="$root/.venv/bin/python"; else python=python3; fi
fi
export PYTHONPATH="$root/libs/detector/src:$root/libs/detector/benchmarks${PYTHONPATH:+:$PYTHONPATH}"
bench="$root/libs/detector/benchmarks"

if ! "$python" - "$device" <<'PY'; then
import importlib, sys
missing = []
for name in ("torch", "transformers", "safetensors", "numpy", "PIL", "pillow_heif", "pydantic"):
    try:
        importlib.import_module(name)
    except ImportError:
        missing.append(name)
if missing:
    sys.exit(f"gpu-check.sh: this Python lacks {', '.join(missing)} (pip install torch transformers pillow pillow-heif numpy pydantic)")
import torch, transformers
print(f"python {sys.version.split()[0]} | torch {torch.__version__} | transformers {transformers.__version__} | "
      f"CUDA {torch.version.cuda} | devices {torch.cuda.device_count()}")
if sys.argv[1] == "cuda":
    if not torch.cuda.is_available():
        sys.exit("gpu-check.sh: --device cuda but torch sees no CUDA device")
    props = torch.cuda.get_device_properties(0)
    print(f"device: {props.name}, {props.total_memory / 2**30:.0f} GiB, bf16 {torch.cuda.is_bf16_supported()}")
PY
  exit 2
fi

failed=()
phase() {
  # phase NAME SECONDS COMMAND...: run with a time limit; a failure is reported and the next phase still runs
  local name="$1" limit="$2"
  shift 2
  echo
  echo "== $name (limit ${limit}s) =="
  local started=$SECONDS
  timeout --signal=TERM --kill-after=10 "$limit" "$@"
  local status=$?
  echo "-- $name: exit $status in $((SECONDS - started))s"
  if ((status != 0)); then failed+=("$name (exit $status)"); fi
}

if ((quick)); then
  throughput=(--quick)
  checks=(--device "$device" --quick)
else
  throughput=(--arch vit-l-14 --device "$device" --batch 256 --train-batch 128 --reference-batch 64)
  checks=(--device "$device")
fi

phase "throughput, eager" 140 "$python" "$bench/throughput.py" "${throughput[@]}" --steps 20 --warmup 5
if ((compile)); then
  phase "throughput, torch.compile" 230 "$python" "$bench/throughput.py" "${throughput[@]}" --compile \
    --steps 10 --warmup 3
fi
phase "agreement, out of memory, resume" 90 "$python" "$bench/gpu_checks.py" "${checks[@]}"

echo
if ((${#failed[@]})); then
  printf 'gpu-check.sh: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "gpu-check.sh: every phase passed in ${SECONDS}s"
