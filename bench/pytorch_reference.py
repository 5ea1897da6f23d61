#!/usr/bin/env python3
"""The PyTorch yardstick of `npm run bench`: training images/s of the bench's workloads.

    /usr/bin/python3 bench/pytorch_reference.py                    # every workload, every core
    /usr/bin/python3 bench/pytorch_reference.py vgg11-96-b64 --threads 1 --json
    /usr/bin/python3 bench/pytorch_reference.py --ceiling --json   # GFLOP/s of one matmul and one 3x3 conv
    /usr/bin/python3 bench/pytorch_reference.py --device cuda      # on a GPU, where this torch has CUDA

Needs python3-torch AND an optimized BLAS (Debian: apt-get install python3-torch
libopenblas0-pthread). Debian's torch runs its products on whatever libblas.so.3
is; with only libblas3 (the reference BLAS) it is 2-4x slower and every ratio
the bench prints would flatter our engine by as much. Each line names the BLAS
this process loaded ("blas") and the BLAS threads the rate was timed with.

The workloads mirror src-main/core/bench/workloads.ts: same networks, sides,
batches and timed steps, random data, SGD lr 0.05 on cross-entropy, one untimed
warm-up step, then windows of the timed steps for at least 2 s, the best kept.
"""
import argparse
import json
import os
import sys
import time

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def requested_threads(argv):
    """--threads from argv, read by hand: the BLAS pool is sized when torch loads, before argparse runs."""
    for index, arg in enumerate(argv):
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
        if arg == "--threads" and index + 1 < len(argv):
            return argv[index + 1]
    return str(os.cpu_count() or 1)


# torch.set_num_threads sizes torch's own pool only; OpenBLAS and MKL read these once, at load.
for variable in BLAS_THREAD_VARIABLES:
    os.environ[variable] = requested_threads(sys.argv[1:])

import torch  # noqa: E402  (after the environment above, on purpose)
from torch import nn  # noqa: E402


# ---- which BLAS is loaded, and resizing it ------------------------------------------------------

def loaded_libraries():
    """Paths of the shared libraries mapped into this process."""
    try:
        with open("/proc/self/maps") as maps:
            return {fields[-1] for fields in (line.split() for line in maps) if len(fields) >= 6 and fields[-1].startswith("/")}
    except OSError:
        return set()


def blas_in_use():
    """'openblas', 'mkl' or 'reference' (libblas3's Fortran BLAS, or anything else named blas)."""
    # Debian's OpenBLAS serves libblas.so.3 from an openblas-pthread/ folder: match the whole path.
    names = [path.lower() for path in loaded_libraries()]
    if any("openblas" in name for name in names):
        return "openblas"
    if any("mkl" in name for name in names):
        return "mkl"
    config = torch.__config__.show().lower()
    if "blas_info=mkl" in config:
        return "mkl"
    if "blas_info=open" in config:
        return "openblas"
    return "reference"


def openblas_handle():
    """ctypes handle on the loaded OpenBLAS, or None."""
    import ctypes
    for path in sorted(p for p in loaded_libraries() if "openblas" in p.lower()):
        try:
            library = ctypes.CDLL(path)
            library.openblas_set_num_threads  # noqa: B018  (raises AttributeError where absent)
            return library
        except (OSError, AttributeError):
            continue
    return None


def blas_pool_size(fallback):
    """The pool size OpenBLAS reports it runs on (proof that the environment above took); `fallback` elsewhere."""
    library = openblas_handle()
    return int(library.openblas_get_num_threads()) if library is not None else int(fallback)


def set_blas_threads(count):
    """Resizes OpenBLAS's pool at run time; False where there is none to resize."""
    library = openblas_handle()
    if library is None:
        return False
    library.openblas_set_num_threads(int(count))
    return True


# ---- the workloads ------------------------------------------------------------------------------

# Dive into Deep Learning's VGG-11: (convolutions, channels) per block.
VGG11_BLOCKS = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def lenet():
    """d2l's LeNet-5: sigmoid, average pooling, the first 5x5 conv padded by 2."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def vgg11(side, scale=1.0, dense=None):
    """VGG-11 on one-channel images; `scale` multiplies the channels and, unless `dense` is given, the 4096-wide dense layers."""
    modules, channels_in = [], 1
    for convolutions, channels in VGG11_BLOCKS:
        channels_out = max(1, round(channels * scale))
        for _ in range(convolutions):
            modules += [nn.Conv2d(channels_in, channels_out, kernel_size=3, padding=1), nn.ReLU()]
            channels_in = channels_out
        modules.append(nn.MaxPool2d(2, stride=2))
    remaining = side // 2 ** len(VGG11_BLOCKS)
    dense = round(4096 * scale) if dense is None else dense
    modules += [
        nn.Flatten(),
        nn.Linear(channels_in * remaining * remaining, dense), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(dense, dense), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(dense, 10)]
    return nn.Sequential(*modules)


# name -> (network factory, image side, batch, timed steps); the same table as workloads.ts.
WORKLOADS = {
    "lenet-28-b256": (lenet, 28, 256, 20),
    "vgg11-w0.25-32-b64": (lambda: vgg11(32, 0.25), 32, 64, 10),
    "vgg11-96-b64": (lambda: vgg11(96), 96, 64, 2),
    # The book's own run (d2l 8.2.3): channels // 4, the dense 4096 kept, 224x224, batch 128. A GPU's workload.
    "vgg11-r4-224-b128": (lambda: vgg11(224, 0.25, dense=4096), 224, 128, 5),
}

# Short workloads are timed for at least this long: the steps are repeated in windows of the workload's
# count and the best window kept, so one slow moment on a shared machine does not decide the rate.
# The workbench's pytorch rows are timed the same way (src-main/core/bench/pytorch-engine-rate.ts).
MIN_SECONDS = 2.0

LEARNING_RATE = 0.05


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def training_rate(factory, side, batch, steps, device):
    """Images/s of SGD steps on one fixed random batch, after one untimed warm-up step: the best window of
    `steps` steps, windows repeated until MIN_SECONDS have been timed (one window where that takes longer)."""
    torch.manual_seed(0)
    network = factory().to(device)
    optimizer = torch.optim.SGD(network.parameters(), lr=LEARNING_RATE)
    criterion = nn.CrossEntropyLoss()
    images = torch.rand(batch, 1, side, side, device=device)
    labels = torch.randint(0, 10, (batch,), device=device)

    def one_step():
        optimizer.zero_grad()
        criterion(network(images), labels).backward()
        optimizer.step()

    one_step()
    synchronize(device)
    best, timed = 0.0, 0.0
    while timed < MIN_SECONDS:
        started = time.perf_counter()
        for _ in range(steps):
            one_step()
        synchronize(device)
        seconds = time.perf_counter() - started
        timed += seconds
        best = max(best, batch * steps / seconds)
    return best


def blas_thread_counts(threads, device):
    """BLAS pool sizes to try under torch's `threads`: the same count, and one, where OpenBLAS can be resized.

    A multi-threaded OpenBLAS under torch's own threads oversubscribes the cores (LeNet ran 15-16k img/s
    that way against 25-28k with one BLAS thread on 2 cores); a user tuning PyTorch picks the faster.
    """
    if device.type != "cpu" or threads <= 1 or openblas_handle() is None:
        return [threads]
    return [threads, 1]


# ---- the ceiling: one matrix product and one 3x3 convolution ----------------------------------------

# The shapes the bench's --ceiling measures on every engine (src-main/core/bench/ceiling.ts):
# a square matrix product, and VGG-11's deep-block convolution at 96x96 (block 4: 12x12, 512 -> 512).
MATMUL_SIZE = 1024
CONV_BATCH, CONV_SIDE, CONV_CHANNELS = 16, 12, 512
CEILING_MIN_SECONDS = 1.0


def gflops_of(operation, flops, device):
    """GFLOP/s of `operation`, repeated until at least CEILING_MIN_SECONDS have passed (after a warm-up)."""
    with torch.no_grad():
        operation()
        synchronize(device)
        repeats, started = 0, time.perf_counter()
        while True:
            operation()
            repeats += 1
            synchronize(device)
            elapsed = time.perf_counter() - started
            if elapsed >= CEILING_MIN_SECONDS:
                return flops * repeats / elapsed / 1e9


def ceiling_rate(kernel, device):
    """GFLOP/s of 'matmul' or 'conv3x3' at the current torch and BLAS thread counts."""
    torch.manual_seed(0)
    if kernel == "matmul":
        a = torch.rand(MATMUL_SIZE, MATMUL_SIZE, device=device)
        b = torch.rand(MATMUL_SIZE, MATMUL_SIZE, device=device)
        return gflops_of(lambda: torch.mm(a, b), 2 * MATMUL_SIZE ** 3, device)
    x = torch.rand(CONV_BATCH, CONV_CHANNELS, CONV_SIDE, CONV_SIDE, device=device)
    conv = nn.Conv2d(CONV_CHANNELS, CONV_CHANNELS, kernel_size=3, padding=1, bias=False).to(device)
    flops = 2 * CONV_BATCH * CONV_SIDE * CONV_SIDE * CONV_CHANNELS * CONV_CHANNELS * 9
    return gflops_of(lambda: conv(x), flops, device)


# ---- output -------------------------------------------------------------------------------------

def emit(record, as_json):
    if as_json:
        print(json.dumps(record), flush=True)
    elif "images_per_s" in record:
        print(f"{record['workload']}: {record['images_per_s']} images/s ({record['device']}, {record['threads']} threads, "
              f"{record['blas']} BLAS on {record['blas_threads']})", flush=True)
    else:
        print(f"ceiling {record['kernel']}: {record['gflops']} GFLOP/s ({record['device']}, {record['threads']} threads, "
              f"{record['blas']} BLAS on {record['blas_threads']})", flush=True)


def best_over_blas_threads(measure, threads, device):
    """(value, blas threads): `measure()` at the BLAS pool size that measured faster, timed once more there.

    The trials only choose the pool size. Reporting the larger of two trials would be the best of twice as many
    samples as the one measurement an engine gets at the chosen size (pytorch-engine-rate.ts), and on a noisy
    machine that alone lowered the 2-thread ratios by several per cent while the 1-thread ones (one trial) sat at 1.
    """
    counts = blas_thread_counts(threads, device)
    if len(counts) == 1:
        return measure(), blas_pool_size(counts[0])
    trials = []
    for count in counts:
        set_blas_threads(count)
        trials.append((measure(), count))
    chosen = max(trials)[1]
    set_blas_threads(chosen)
    value, pool = measure(), blas_pool_size(chosen)
    set_blas_threads(threads)
    return value, pool


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD", help=f"one or more of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch and BLAS threads (default: every core)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--ceiling", action="store_true", help="GFLOP/s of one matrix product and one 3x3 convolution instead")
    args = parser.parse_args()
    unknown = [name for name in args.workloads if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}: choose from {', '.join(WORKLOADS)}")
    if args.threads < 1:
        parser.error("--threads must be 1 or more")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error(f"torch {torch.__version__} has no CUDA device here")

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    common = {"threads": torch.get_num_threads(), "device": device.type, "torch": torch.__version__, "blas": blas_in_use()}

    if args.ceiling:
        for kernel in ("matmul", "conv3x3"):
            gflops, blas_threads = best_over_blas_threads(lambda: ceiling_rate(kernel, device), args.threads, device)
            emit({"kernel": kernel, "gflops": round(gflops, 1), **common, "blas_threads": blas_threads}, args.json)
        return

    for name in args.workloads or list(WORKLOADS):
        factory, side, batch, steps = WORKLOADS[name]
        if device.type == "cuda":
            steps *= 10  # a GPU step is short: time more of them
        rate, blas_threads = best_over_blas_threads(lambda: training_rate(factory, side, batch, steps, device), args.threads, device)
        emit({"workload": name, "images_per_s": round(rate, 1), "batch": batch, "steps": steps, **common,
              "blas_threads": blas_threads}, args.json)


if __name__ == "__main__":
    main()
