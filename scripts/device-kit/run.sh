#!/usr/bin/env bash
# The VGG Workbench device kit (docs/gpu.md): measures the webgpu and pytorch
# engines on this machine's GPU. Runs from a copy of its folder anywhere; needs
# bash, coreutils, xz or python3, the GPU driver, and PyTorch for steps 3-5.
# It uses no Node and no node_modules of the machine.
#
#   bash run.sh [--out DIR] [--smoke | --pytorch | --book] [--train DIR]
#
#   1. engines --json            which engines load here (webgpu: the adapter Dawn found through Vulkan)
#   2. agreement                 LeNet and a VGG block, a few SGD steps, webgpu against cpu: lossDiff <= 1e-3
#   3. bench (the plain run)     images/s on webgpu against pytorch_reference.py --device cuda, per workload
#   4. --pytorch: bench          images/s on the pytorch engine (our runner, CUDA) against the same yardstick
#   5. --book                    the chapter's budget on the pytorch engine (VGG-11 / 4, 224 px, 10 epochs,
#                                lr 0.05, batch 128): test accuracy per epoch against d2l's 0.917-0.930
#
# --pytorch and --book run step 1 and their own step; they train on the
# Fashion-MNIST training set, which travels as a second copy beside the kit
# (<kit>-train/, or --train DIR) to keep the kit under 60 MiB. Every figure is
# a JSON line, printed and appended to DIR (default ./device-out/). Each step
# runs under `timeout`, so each run ends within BUDGET seconds (printed first):
# under 10 minutes.
set -uo pipefail

KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=./device-out
SMOKE=0
BOOK=0
TORCH=0
TRAIN="$KIT-train"
while [ $# -gt 0 ]; do
  case "$1" in
    --out)
      [ $# -ge 2 ] || { echo "run.sh: --out needs a folder, e.g. --out ./device-out" >&2; exit 2; }
      OUT=$2; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    --smoke) SMOKE=1; shift ;;
    --book) BOOK=1; shift ;;
    --pytorch) TORCH=1; shift ;;
    --train)
      [ $# -ge 2 ] || { echo "run.sh: --train needs the folder of train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz" >&2; exit 2; }
      TRAIN=$2; shift 2 ;;
    --train=*) TRAIN=${1#--train=}; shift ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (run.sh [--out DIR] [--smoke | --pytorch | --book] [--train DIR])" >&2; exit 2 ;;
  esac
done

# Seconds per step, so the total is known before anything runs.
UNPACK_S=30
ENGINES_S=60
BOOK_S=0
MODE=full
if [ "$SMOKE" = 1 ]; then MODE=smoke; elif [ "$BOOK" = 1 ]; then MODE=book; elif [ "$TORCH" = 1 ]; then MODE=pytorch; fi
if [ $((SMOKE + BOOK + TORCH)) -gt 1 ]; then echo "run.sh: --smoke, --pytorch and --book are separate runs: choose one" >&2; exit 2; fi
if [ "$SMOKE" = 1 ]; then
  # SwiftShader computes the GPU's kernels on the CPU: a few images only.
  AGREEMENT_S=420
  AGREEMENT_ARGS=(--steps 2 --batch 4)
  WORKLOADS=()
  TORCH_WORKLOADS=()
elif [ "$BOOK" = 1 ]; then
  # The book's ten epochs: 600,000 images at 224 px (about 3 GFLOP each to train), an evaluation after each epoch.
  AGREEMENT_S=0
  WORKLOADS=()
  TORCH_WORKLOADS=()
  BOOK_S=500
elif [ "$TORCH" = 1 ]; then
  AGREEMENT_S=0
  WORKLOADS=()
  # The pytorch engine: loading torch and the training set, at least 2 s timed, then the yardstick's run.
  TORCH_WORKLOADS=(lenet-28-b256:60 vgg11-w0.25-32-b64:60 vgg11-96-b64:60 vgg11-r4-224-b128:90)
else
  AGREEMENT_S=90
  AGREEMENT_ARGS=(--steps 3 --batch 32)
  # workload:seconds, PyTorch's run included.
  WORKLOADS=(lenet-28-b256:60 vgg11-w0.25-32-b64:60 vgg11-96-b64:100 vgg11-r4-224-b128:150)
  TORCH_WORKLOADS=()
fi
BUDGET=$((UNPACK_S + ENGINES_S + AGREEMENT_S + BOOK_S))
for entry in "${WORKLOADS[@]}" "${TORCH_WORKLOADS[@]}"; do BUDGET=$((BUDGET + ${entry##*:})); done

mkdir -p "$OUT" || { echo "run.sh: cannot create $OUT" >&2; exit 2; }
OUT=$(cd "$OUT" && pwd)
STARTED=$(date +%s)

# A folder we may execute from: /tmp is noexec on some clusters.
WORK=
for base in "${TMPDIR:-/tmp}" "$OUT" "$KIT"; do
  candidate=$(mktemp -d "$base/vgg-kit.XXXXXX" 2>/dev/null) || continue
  printf '#!/bin/sh\nexit 0\n' > "$candidate/probe" && chmod +x "$candidate/probe"
  if "$candidate/probe" 2>/dev/null; then WORK=$candidate; break; fi
  rm -rf "$candidate"
done
[ -n "$WORK" ] || { echo "run.sh: no folder to unpack Node into that allows executing programs" >&2; exit 1; }
trap 'rm -rf "$WORK"' EXIT

unxz_to() {
  if command -v xz >/dev/null 2>&1; then
    xz --decompress --stdout "$1" > "$2"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  else
    echo "run.sh: neither xz nor python3 is here to unpack $1" >&2; return 1
  fi
}

# A JSON string from a shell string (quotes, backslashes and control characters escaped by Node once it is unpacked).
json_string() { "$NODE" -e 'process.stdout.write(JSON.stringify(process.argv[1] ?? ""))' -- "$1"; }

emit() { # file line: append a JSON line to DIR/file and print it
  printf '%s\n' "$2" | tee -a "$OUT/$1"
}

NODE="$WORK/node"
export -f unxz_to
timeout "$UNPACK_S" bash -c '
  set -e
  unxz_to "$1/node.xz" "$2/node"
  chmod +x "$2/node"
  mkdir -p "$2/webgpu/dist/linux-x64"
  cp "$1/webgpu/index.js" "$1/webgpu/package.json" "$2/webgpu/"
  unxz_to "$1/webgpu/dawn.node.xz" "$2/webgpu/dist/linux-x64/dawn.node"
' unpack "$KIT" "$WORK" || { echo "run.sh: unpacking Node and Dawn into $WORK failed" >&2; exit 1; }

export WORKBENCH_KIT_DAWN="$WORK/webgpu/index.js"
# Dawn dlopens libvulkan.so.1: the kit's own loader (Debian's libvulkan1) comes first.
export LD_LIBRARY_PATH="$KIT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The Vulkan loader finds drivers through ICD files. Where NVIDIA's driver is
# mounted without one (containers with only the compute libraries' JSON
# missing), point the loader at the driver's own library.
if [ -n "${VK_ICD_FILENAMES:-}" ]; then ICD_NOTE="VK_ICD_FILENAMES=$VK_ICD_FILENAMES"; else ICD_NOTE="VK_ICD_FILENAMES unset: the loader's own search"; fi
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json >/dev/null 2>&1; then
    glx=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 /{print $NF; exit}')
    for dir in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
      if [ -z "$glx" ] && [ -e "$dir/libGLX_nvidia.so.0" ]; then glx="$dir/libGLX_nvidia.so.0"; fi
    done
    if [ -n "$glx" ]; then
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" > "$WORK/nvidia_icd.json"
      export VK_ICD_FILENAMES="$WORK/nvidia_icd.json"
      ICD_NOTE="no ICD file on this machine: wrote one for $glx"
    fi
  fi
fi

emit setup.jsonl "{\"step\":\"setup\",\"smoke\":$([ "$SMOKE" = 1 ] && echo true || echo false),\"mode\":\"$MODE\",\"budgetSeconds\":$BUDGET,\"node\":$(json_string "$("$NODE" --version)"),\"kit\":$(json_string "$KIT"),\"host\":$(json_string "$(uname -srm)"),\"vulkan\":$(json_string "$ICD_NOTE"),\"nvidiaSmi\":$(json_string "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)"),\"date\":$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")}"

FAILED=()
# run_step NAME SECONDS FILE -- command...: its stdout JSON lines to DIR/FILE, stderr to DIR/NAME.log.
run_step() {
  local name=$1 seconds=$2 file=$3
  shift 4
  timeout --kill-after=10 "$seconds" "$@" 2>>"$OUT/$name.log" | tee -a "$OUT/$file"
  local code=${PIPESTATUS[0]}
  if [ "$code" = 124 ] || [ "$code" = 137 ]; then
    emit "$file" "{\"step\":$(json_string "$name"),\"error\":\"timed out after ${seconds} s\"}"
  elif [ "$code" != 0 ]; then
    emit "$file" "{\"step\":$(json_string "$name"),\"error\":$(json_string "exit status $code: $(tail -n 3 "$OUT/$name.log" | tr '\n' ' ')")}"
  fi
  [ "$code" = 0 ] || FAILED+=("$name")
  return 0
}

# 1. The engines, as one JSON line (the CLI prints them indented).
timeout --kill-after=10 "$ENGINES_S" "$NODE" "$KIT/app/start.mjs" engines --json > "$WORK/engines.json" 2>>"$OUT/engines.log"
code=$?
if [ "$code" = 0 ]; then
  emit engines.jsonl "$("$NODE" -e 'const fs = require("fs"); console.log(JSON.stringify({ step: "engines", engines: JSON.parse(fs.readFileSync(process.argv[1], "utf8")) }))' -- "$WORK/engines.json")"
else
  emit engines.jsonl "{\"step\":\"engines\",\"error\":$(json_string "exit status $code: $(tail -n 3 "$OUT/engines.log" | tr '\n' ' ')")}"
  FAILED+=(engines)
fi

# 2. Webgpu against cpu on the same batches.
if [ "$AGREEMENT_S" -gt 0 ]; then
  run_step agreement "$AGREEMENT_S" agreement.jsonl -- "$NODE" "$KIT/app/start.mjs" agreement --engine webgpu --data "$KIT/data" "${AGREEMENT_ARGS[@]}"
fi

# 3. Throughput against PyTorch on the GPU, one workload per process tree, each under its own limit.
for entry in "${WORKLOADS[@]}"; do
  workload=${entry%%:*}
  run_step "bench-$workload" "${entry##*:}" bench.jsonl -- "$NODE" "$KIT/app/start.mjs" bench --engine webgpu --workload "$workload" --json --reference "$KIT/pytorch_reference.py"
done

# The four Fashion-MNIST files in one folder: the kit's test set and the second copy's training set.
DATA=
if [ "${#TORCH_WORKLOADS[@]}" -gt 0 ] || [ "$BOOK" = 1 ]; then
  if [ -f "$TRAIN/train-images-idx3-ubyte.gz" ] && [ -f "$TRAIN/train-labels-idx1-ubyte.gz" ]; then
    DATA="$WORK/data"
    mkdir -p "$DATA"
    ln -s "$KIT"/data/t10k-*-ubyte.gz "$DATA/"
    ln -s "$(cd "$TRAIN" && pwd)"/train-*-ubyte.gz "$DATA/"
  else
    emit setup.jsonl "{\"step\":\"train-data\",\"error\":$(json_string "no training set in $TRAIN: copy the kit's second folder (device-kit-train/) beside the kit, or pass --train DIR")}"
    FAILED+=(train-data)
  fi
fi

# 4. The pytorch engine through our runner (its trainer script on CUDA), against the same yardstick.
if [ -n "$DATA" ]; then
  for entry in "${TORCH_WORKLOADS[@]}"; do
    workload=${entry%%:*}
    run_step "bench-pytorch-$workload" "${entry##*:}" bench.jsonl -- "$NODE" "$KIT/app/start.mjs" bench --engine pytorch --workload "$workload" --json --reference "$KIT/pytorch_reference.py" --data "$DATA"
  done
fi

# 5. The book's budget on the pytorch engine, each epoch's test accuracy set against d2l's published band.
if [ "$BOOK" = 1 ] && [ -n "$DATA" ]; then
  book() {
    # The pytorch engine's runner itself, each event a JSON line (the kit has no SQLite store to record into).
    "$NODE" "$KIT/app/start.mjs" book --device cuda --data "$DATA" |
      "$NODE" -e '
        const [low, high] = [0.917, 0.93];
        let last;
        require("readline").createInterface({ input: process.stdin }).on("line", (line) => {
          let event;
          try { event = JSON.parse(line); } catch { return; }
          if (event.type === "start") console.log(JSON.stringify({ step: "book-start", engine: event.engine, params: event.params, trainSize: event.trainSize, testSize: event.testSize }));
          if (event.type === "epoch") {
            last = event;
            console.log(JSON.stringify({ step: "book", epoch: event.epoch + 1, loss: event.loss, trainAcc: event.trainAcc, testAcc: event.testAcc, seconds: event.seconds, imagesPerSec: event.imagesPerSec, d2l: [low, high] }));
          }
          if (event.type === "error") console.log(JSON.stringify({ step: "book", error: event.message }));
        }).on("close", () => {
          const testAcc = last ? last.testAcc : null;
          console.log(JSON.stringify({ step: "book-summary", epochs: last ? last.epoch + 1 : 0, testAcc, d2l: [low, high], inBand: testAcc !== null && testAcc >= low && testAcc <= high }));
        });'
  }
  export NODE KIT DATA WORK
  export -f book
  run_step book "$BOOK_S" book.jsonl -- bash -c 'set -o pipefail; book'
fi

SECONDS_TAKEN=$(( $(date +%s) - STARTED ))
FAILED_JSON=$(printf '%s\n' "${FAILED[@]+"${FAILED[@]}"}" | "$NODE" -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.stringify(s.split("\n").filter(Boolean))));')
emit setup.jsonl "{\"step\":\"done\",\"seconds\":$SECONDS_TAKEN,\"budgetSeconds\":$BUDGET,\"failed\":$FAILED_JSON,\"out\":$(json_string "$OUT")}"
[ "${#FAILED[@]}" = 0 ]
