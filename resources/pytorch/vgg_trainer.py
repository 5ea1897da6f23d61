#!/usr/bin/env python3
"""Trains one VGG Workbench run with the user's own PyTorch.

    python -u vgg_trainer.py            # reads one job (a JSON line) on stdin, writes events on stdout
    python vgg_trainer.py --probe       # one JSON line: torch's version and the best device it sees

The contract with the workbench (the job, the control lines, the events, the
checkpoint layout) is docs/pytorch-protocol.md. The network, its initialisation,
the data order, the resize and the recipe follow the tfjs trainer
(src-main/core/models/build.ts, core/data/batches.ts, core/train/trainer.ts),
so a run means the same on either engine and its checkpoints cross between them.

Needs only torch (>= 1.13), numpy and the standard library.
"""
import argparse
import gzip
import hashlib
import json
import math
import os
import platform
import re
import secrets
import struct
import sys
import threading
import time

try:
    import numpy as np
    import torch
    from torch import nn
    from torch.nn import functional as F
except ImportError as missing:
    sys.exit(f"{sys.executable} cannot import {missing.name}: install PyTorch for it (https://pytorch.org/get-started/locally/)")

PROTOCOL = 1
CHECKPOINT_MAGIC = b"VGGWCKP1"
CHECKPOINT_VERSION = 1
# The test set is read this many images at a time, or a run's own batch where larger (shared/train/evaluation-batch.ts).
EVALUATION_BATCH = 256
# Per-layer statistics (shared/train/layer-stats.ts): points per layer per epoch when the run does not say,
# bins of a kernel's histogram, and the test images (the first, in file order) the dead-ReLU count runs on.
DEFAULT_LAYER_POINTS_PER_EPOCH = 50
HISTOGRAM_BINS = 32
PROBE_IMAGES = 64


# ---- talking to the runner ----------------------------------------------------------------------

def wire(value):
    """JSON has no NaN or Infinity: they travel as {"$number": "NaN"} (the workbench's api/wire-json.ts)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"$number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, dict):
        return {key: wire(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire(inner) for inner in value]
    return value


_stdout_lock = threading.Lock()


def emit(message):
    line = json.dumps(wire(message), separators=(",", ":"), allow_nan=False)
    with _stdout_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def send_event(event):
    emit({"type": "event", "event": event})


def log(message):
    emit({"type": "log", "message": message})


def now_ms():
    """Date.now(): the events' `time`."""
    return int(time.time() * 1000)


class RunError(Exception):
    """A refusal or failure the user can act on: becomes the run's error event."""


class Control:
    """Watches stdin after the job: a cancel line sets `cancelled`; the end of stdin (the parent died) ends us at once.

    It reads the raw file descriptor, not sys.stdin: a daemon thread blocked inside a buffered reader
    holds its lock, and the interpreter then aborts at exit instead of ending cleanly.
    """

    def __init__(self, fd, leftover):
        self.cancelled = threading.Event()
        self.finished = threading.Event()
        self._fd, self._buffer = fd, leftover
        threading.Thread(target=self._read, name="stdin-control", daemon=True).start()

    def _read(self):
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                self._handle(line)
            chunk = os.read(self._fd, 65536)
            if not chunk:
                break
            self._buffer += chunk
        if not self.finished.is_set():
            # The pipe closed: nobody reads our events any more (SIGKILL of the parent included). Leave no orphan.
            os._exit(1)

    def _handle(self, line):
        try:
            message = json.loads(line)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "cancel":
            self.cancelled.set()


def read_first_line(fd):
    """(the first line, the bytes read after it) from a raw file descriptor."""
    data = b""
    while b"\n" not in data:
        chunk = os.read(fd, 65536)
        if not chunk:
            return data, b""
        data += chunk
    line, rest = data.split(b"\n", 1)
    return line, rest


# ---- the job ----------------------------------------------------------------------------------

def read_job(line):
    if not line.strip():
        raise RunError("no job on stdin: the runner writes one JSON line first (docs/pytorch-protocol.md)")
    try:
        job = json.loads(line)
    except ValueError as error:
        raise RunError(f"the job on stdin is not JSON ({error})")
    if not isinstance(job, dict):
        raise RunError("the job on stdin must be a JSON object")
    if job.get("protocol") != PROTOCOL:
        raise RunError(f"job.protocol is {job.get('protocol')!r}; this script speaks protocol {PROTOCOL}: update the workbench or the script together")
    for field in ("config", "layers", "side", "classes", "data"):
        if field not in job:
            raise RunError(f"job.{field} is missing (docs/pytorch-protocol.md lists the fields)")
    for field in ("trainImages", "trainLabels", "testImages", "testLabels"):
        if not isinstance(job["data"].get(field), str):
            raise RunError(f"job.data.{field} must be the path of an IDX file")
    return job


def loaded_openblas():
    """ctypes handle on the OpenBLAS this process loaded (Debian's torch multiplies through it), or None."""
    import ctypes
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    except OSError:
        return None
    for path in paths:
        try:
            library = ctypes.CDLL(path)
            library.openblas_set_num_threads  # noqa: B018  (raises AttributeError where absent)
            return library
        except (OSError, AttributeError):
            continue
    return None


def set_cpu_threads(threads, blas_threads=None):
    """torch's own pool at `threads`, the BLAS under it at `blas_threads` (default the same), as the bench's yardstick does."""
    torch.set_num_threads(threads)
    library = loaded_openblas()
    if library is not None:
        library.openblas_set_num_threads(int(blas_threads or threads))


# ---- devices ----------------------------------------------------------------------------------

def available_devices():
    """Best first: cuda (also ROCm) > mps > xpu > cpu."""
    devices = []
    if torch.cuda.is_available():
        devices.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    xpu = getattr(torch, "xpu", None)
    if xpu is not None and xpu.is_available():
        devices.append("xpu")
    devices.append("cpu")
    return devices


def device_name(kind):
    if kind == "cuda":
        return torch.cuda.get_device_name(0)
    if kind == "xpu":
        return torch.xpu.get_device_name(0)
    if kind == "mps":
        return "Apple MPS"
    return platform.processor() or platform.machine() or "cpu"


def device_memory(kind):
    """Total bytes of the device, where torch can say."""
    if kind == "cuda":
        return int(torch.cuda.get_device_properties(0).total_memory)
    if kind == "xpu":
        return int(torch.xpu.get_device_properties(0).total_memory)
    return None


def probe():
    devices = available_devices()
    best = devices[0]
    answer = {"torch": torch.__version__, "numpy": np.__version__, "device": best, "deviceName": device_name(best),
              "devices": devices, "python": platform.python_version()}
    memory = device_memory(best)
    if memory is not None:
        answer["deviceMemoryBytes"] = memory
    print(json.dumps(answer), flush=True)


def choose_device(requested):
    devices = available_devices()
    if requested in (None, "auto"):
        return devices[0]
    if requested not in devices:
        raise RunError(f"device {requested} is not available to torch {torch.__version__} here (it sees {', '.join(devices)}): "
                       f"choose --device auto or one of those")
    return requested


def autocast_for(kind, precision):
    """(context factory, precision used): bf16 autocast where the device supports it, else fp32 with a warning."""
    if precision != "bf16":
        return _no_autocast, "fp32"
    supported = kind == "cpu" or (kind == "cuda" and torch.cuda.is_bf16_supported())
    if kind in ("mps", "xpu"):
        try:
            with torch.autocast(kind, dtype=torch.bfloat16):
                pass
            supported = True
        except (RuntimeError, ValueError, AssertionError):
            supported = False
    if not supported:
        log(f"bf16 is not supported on {kind} with torch {torch.__version__}: this run trains in fp32")
        return _no_autocast, "fp32"
    return (lambda: torch.autocast(kind, dtype=torch.bfloat16)), "bf16"


class _no_autocast:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---- data -------------------------------------------------------------------------------------

def read_idx(path, dims, limit=None):
    """An IDX file (http://yann.lecun.com/exdb/mnist/): big-endian magic 0x0000080N, N sizes, then unsigned bytes."""
    try:
        with open(path, "rb") as raw:
            head = raw.read(2)
        opener = gzip.open if head == b"\x1f\x8b" or path.endswith(".gz") else open
        with opener(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise RunError(f"{path} cannot be read ({error.strerror or error}): download the data set again or choose its folder")
    if len(data) < 4 + 4 * dims:
        raise RunError(f"{path} is too short for an IDX header: download the data set again")
    magic = struct.unpack(">I", data[:4])[0]
    if magic != 0x800 + dims:
        raise RunError(f"{path} has magic 0x{magic:08x}, expected 0x{0x800 + dims:08x}: is it the right file?")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    count = shape[0] if limit is None else min(shape[0], limit)
    per_item = int(np.prod(shape[1:])) if dims > 1 else 1
    start = 4 + 4 * dims
    if len(data) < start + shape[0] * per_item:
        raise RunError(f"{path} holds fewer bytes than its header announces: download the data set again")
    array = np.frombuffer(data, dtype=np.uint8, count=count * per_item, offset=start)
    return array.reshape((count,) + tuple(shape[1:]))


def mulberry32_floats(seed, count):
    """The workbench's mulberry32 (core/data/random.ts), vectorised: its state only ever adds a constant."""
    steps = np.arange(1, count + 1, dtype=np.uint64)
    state = ((np.uint64(seed & 0xFFFFFFFF) + steps * np.uint64(0x6D2B79F5)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    with np.errstate(over="ignore"):
        t = state
        t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
        t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
        t = t ^ (t >> np.uint32(14))
    return t.astype(np.float64) / 4294967296.0


def _fmix32(value):
    h = value & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def derive_seed(*parts):
    """core/data/random.ts's deriveSeed: (seed, epoch) -> one 32-bit seed."""
    h = 0x9E3779B9
    for part in parts:
        h = _fmix32(((h ^ _fmix32(part & 0xFFFFFFFF)) + 0x7F4A7C15) & 0xFFFFFFFF)
    return h


def epoch_order(count, seed, epoch):
    """The same shuffle as the tfjs engines' (Fisher-Yates on mulberry32 from (seed, epoch)): the same data order."""
    order = list(range(count))
    if count < 2:
        return order
    randoms = mulberry32_floats(derive_seed(seed, epoch), count - 1)
    picks = np.floor(randoms * np.arange(count, 1, -1, dtype=np.float64)).astype(np.int64).tolist()
    for step, i in enumerate(range(count - 1, 0, -1)):
        j = picks[step]
        order[i], order[j] = order[j], order[i]
    return order


class DeviceImages:
    """A whole split as uint8 on the device; a batch is an index-select, scaled and resized there (no host work per batch)."""

    def __init__(self, images, labels, device, side, channels_last):
        self.images = torch.from_numpy(np.array(images, copy=True)).to(device)  # [n, 28, 28] uint8
        self.labels = torch.from_numpy(labels.astype(np.int64)).to(device)  # [n]
        self.count = int(self.labels.shape[0])
        self.side = side
        self.channels_last = channels_last

    def batch(self, indices):
        x = self.images.index_select(0, indices).unsqueeze(1).float().div_(255.0)  # [b, 1, 28, 28] in [0, 1]
        if x.shape[-1] != self.side or x.shape[-2] != self.side:
            # Half-pixel centres, no antialias: tfjs's resizeBilinear(x, size, false, true).
            x = F.interpolate(x, size=(self.side, self.side), mode="bilinear", align_corners=False)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, self.labels.index_select(0, indices)


# ---- the network ------------------------------------------------------------------------------

ACTIVATIONS = {"relu": lambda: nn.ReLU(), "sigmoid": lambda: nn.Sigmoid(), "linear": lambda: nn.Identity()}


def same_padding(size, kernel, stride):
    """TensorFlow's 'same': (before, after) zeros so the output is ceil(size / stride)."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class FlattenNHWC(nn.Module):
    """Flattens (h, w, c) like tfjs's NHWC Flatten, so a dense kernel is the tfjs one transposed, rows in the same order."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).flatten(1)


class Network(nn.Module):
    """A Sequential built from the workbench's LayerSpec list; `weighted` names each conv and dense layer in order,
    `relus` lists (layer name, its ReLU module, its block) as shared/train/layer-stats.ts's reluBlocks does."""

    def __init__(self, layers, side, names):
        super().__init__()
        modules, self.weighted, self.relus = [], [], []
        channels, height, width = 1, side, side
        # A block is the layers up to and including a pooling layer; ReLUs after the flatten are the classifier's, `dense`.
        block, flattened = 1, False
        for spec, name in zip(layers, names):
            kind = spec["kind"]
            if kind == "conv":
                kernel, stride = spec["kernel"], spec["stride"]
                if spec["padding"] == "same":
                    top, bottom = same_padding(height, kernel, stride)
                    left, right = same_padding(width, kernel, stride)
                else:
                    top = bottom = left = right = spec.get("pad", 0)
                if top == bottom and left == right:
                    conv = nn.Conv2d(channels, spec["filters"], kernel, stride, padding=(top, left))
                    modules.append(conv)
                else:
                    conv = nn.Conv2d(channels, spec["filters"], kernel, stride)
                    modules += [nn.ZeroPad2d((left, right, top, bottom)), conv]
                modules.append(ACTIVATIONS[spec["activation"]]())
                if spec["activation"] == "relu":
                    self.relus.append((name, modules[-1], "dense" if flattened else f"block{block}"))
                height = (height + top + bottom - kernel) // stride + 1
                width = (width + left + right - kernel) // stride + 1
                channels = spec["filters"]
                self.weighted.append((name, "conv", conv))
            elif kind in ("maxpool", "avgpool"):
                pool = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
                modules.append(pool(spec["size"], spec["stride"]))
                block += 1
                height = (height - spec["size"]) // spec["stride"] + 1
                width = (width - spec["size"]) // spec["stride"] + 1
            elif kind == "flatten":
                modules.append(FlattenNHWC())
                flattened = True
                channels, height, width = channels * height * width, 1, 1
            elif kind == "dense":
                if height != 1 or width != 1:
                    raise RunError(f"layer {name}: a dense layer needs a flatten before it")
                dense = nn.Linear(channels, spec["units"])
                modules += [dense, ACTIVATIONS[spec["activation"]]()]
                if spec["activation"] == "relu":
                    self.relus.append((name, modules[-1], "dense" if flattened else f"block{block}"))
                channels = spec["units"]
                self.weighted.append((name, "dense", dense))
            elif kind == "dropout":
                modules.append(nn.Dropout(spec["rate"]))
            else:
                raise RunError(f"layer {name}: unknown kind {kind!r}")
            if height < 1 or width < 1:
                raise RunError(f"layer {name} leaves a {height}x{width} image: use a larger resize")
        self.body = nn.Sequential(*modules)

    def forward(self, x):  # [b, 1, side, side] -> [b, classes]
        return self.body(x)

    def relu_outputs(self, x):
        """The output of every ReLU in `relus`, in order, for the input x."""
        wanted = {id(module) for _, module, _ in self.relus}
        outputs = []
        for module in self.body:
            x = module(x)
            if id(module) in wanted:
                outputs.append(x)
        return outputs

    def initialise(self):
        """Glorot-uniform kernels and zero biases, as build.ts (torch's and tfjs's fans agree for OIHW and HWIO)."""
        for _, _, module in self.weighted:
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)


def name_layers(layers):
    """shared/models/layer-names.ts: the spec's own name, else conv1, pool1, flatten, fc1, dropout1, ..."""
    prefixes = {"conv": "conv", "maxpool": "pool", "avgpool": "pool", "flatten": "flatten", "dense": "fc", "dropout": "dropout"}
    counts, names = {}, []
    for spec in layers:
        if spec.get("name"):
            names.append(spec["name"])
            continue
        prefix = prefixes[spec["kind"]]
        counts[prefix] = counts.get(prefix, 0) + 1
        n = counts[prefix]
        names.append("flatten" if prefix == "flatten" and n == 1 else f"{prefix}{n}")
    return names


# ---- checkpoints: VGGWCKP1 in tfjs's layout -----------------------------------------------------

DTYPES = {"float32": "<f4", "int32": "<i4"}


def to_tfjs(kind, role, tensor):
    """A torch parameter in tfjs's layout: conv OIHW -> HWIO, dense [out, in] -> [in, out]."""
    if role == "kernel":
        tensor = tensor.permute(2, 3, 1, 0) if kind == "conv" else tensor.t()
    return tensor.detach().float().cpu().contiguous().numpy()


def from_tfjs(kind, role, array):
    """The inverse of to_tfjs, as a float32 CPU tensor."""
    tensor = torch.from_numpy(np.array(array, dtype=np.float32))
    if role == "kernel":
        tensor = tensor.permute(3, 2, 0, 1) if kind == "conv" else tensor.t()
    return tensor.contiguous()


def model_specs(artifacts):
    """The model's weight specs in order (the optimizer's carry group 'optimizer')."""
    return [spec for spec in artifacts["weightSpecs"] if spec.get("group") != "optimizer"]


def layer_of(spec_name):
    """'block1_conv1/kernel_1' -> 'block1_conv1' (tfjs renames variables, never a named layer)."""
    return spec_name.rsplit("/", 1)[0]


def momentum_slots(artifacts, models):
    """{optimizer slot name: model weight name}. tfjs names a slot after the variable (`conv1/kernel_3/momentum`),
    which tfjs made unique per process, so slots are matched to weights by order, checked by base name and shape."""
    slots = [spec for spec in artifacts["weightSpecs"] if spec.get("group") == "optimizer" and spec["name"] != "iter"]
    if not slots:
        return {}
    if len(slots) != len(models):
        raise RunError(f"the checkpoint has {len(slots)} optimizer slots for {len(models)} weights: it was not written by an SGD run")
    found = {}
    for slot, model in zip(slots, models):
        variable = slot["name"].rsplit("/", 1)[0]
        if not slot["name"].endswith("/momentum") or re.sub(r"_\d+$", "", variable) != model["name"] or slot["shape"] != model["shape"]:
            raise RunError(f"optimizer slot {slot['name']} does not belong to weight {model['name']}: only SGD with momentum is understood")
        found[slot["name"]] = model["name"]
    return found


def parameter_slots(network):
    """(torch parameter, layer kind, 'kernel' | 'bias') in tfjs's weight order."""
    slots = []
    for _, kind, module in network.weighted:
        slots += [(module.weight, kind, "kernel"), (module.bias, kind, "bias")]
    return slots


def write_checkpoint(path, template, network, optimizer, steps_done):
    """The template's header with our numbers, written whole (temp file, fsync, rename); returns (bytes, sha256)."""
    slots = parameter_slots(network)
    specs = template["weightSpecs"]
    models = model_specs(template)
    if len(models) != len(slots):
        raise RunError(f"the checkpoint template has {len(models)} weights, this network {len(slots)}: the runner built it for another network")
    by_name = {spec["name"]: slot for spec, slot in zip(models, slots)}
    momentum_of = momentum_slots(template, models)
    chunks = []
    for spec in specs:
        if spec.get("group") == "optimizer":
            if spec["name"] == "iter":
                array = np.array(steps_done, dtype=np.int32)
            else:
                parameter, kind, role = by_name[momentum_of[spec["name"]]]
                buffer = optimizer.state.get(parameter, {}).get("momentum_buffer")
                array = to_tfjs(kind, role, buffer) if buffer is not None else np.zeros(spec["shape"], np.float32)
        else:
            parameter, kind, role = by_name[spec["name"]]
            array = to_tfjs(kind, role, parameter)
        if list(array.shape) != list(spec["shape"]):
            raise RunError(f"weight {spec['name']}: the template says {spec['shape']}, the network has {list(array.shape)}")
        chunks.append(np.ascontiguousarray(array, dtype=DTYPES[spec.get("dtype", "float32")]).tobytes())
    weights = b"".join(chunks)
    header = json.dumps({"version": CHECKPOINT_VERSION, "weightDataBytes": len(weights), "artifacts": template},
                        separators=(",", ":")).encode("utf-8")
    data = CHECKPOINT_MAGIC + struct.pack("<I", len(header)) + header + weights
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # The workbench's temp name (core/checkpoint/checkpoint-folder.ts knows it), so a crash's leftover is recognised.
    temp = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
    return len(data), hashlib.sha256(data).hexdigest()


def read_checkpoint(path, sha256=None):
    """{spec name: numpy array} and the header's artifacts of a VGGWCKP1 file, checked against its recorded hash."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise RunError(f"checkpoint {path} cannot be read ({error})")
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise RunError(f"checkpoint {path}: its SHA-256 differs from the one the run recorded")
    if data[:8] != CHECKPOINT_MAGIC or len(data) < 12:
        raise RunError(f"checkpoint {path}: wrong magic bytes")
    length = struct.unpack("<I", data[8:12])[0]
    try:
        header = json.loads(data[12:12 + length].decode("utf-8"))
    except ValueError:
        raise RunError(f"checkpoint {path}: the header is not JSON")
    if header.get("version") != CHECKPOINT_VERSION:
        raise RunError(f"checkpoint {path}: unknown file version {header.get('version')}")
    weights = data[12 + length:]
    if len(weights) != header.get("weightDataBytes"):
        raise RunError(f"checkpoint {path}: expected {header.get('weightDataBytes')} weight bytes, found {len(weights)}")
    arrays, offset = {}, 0
    for spec in header["artifacts"]["weightSpecs"]:
        dtype = np.dtype(DTYPES.get(spec.get("dtype", "float32"), "<f4"))
        count = int(np.prod(spec["shape"])) if spec["shape"] else 1
        arrays[spec["name"]] = np.frombuffer(weights, dtype=dtype, count=count, offset=offset).reshape(spec["shape"])
        offset += count * dtype.itemsize
    return arrays, header["artifacts"]


def restore_checkpoint(path, sha256, network, optimizer):
    """Resume: every weight and momentum buffer from the file; the networks must be the same."""
    arrays, artifacts = read_checkpoint(path, sha256)
    models = model_specs(artifacts)
    slots = parameter_slots(network)
    if len(models) != len(slots):
        raise RunError(f"checkpoint {path} holds a different network from this run's ({len(models)} weights, this one {len(slots)})")
    with torch.no_grad():
        for spec, (parameter, kind, role) in zip(models, slots):
            value = from_tfjs(kind, role, arrays[spec["name"]])
            if tuple(value.shape) != tuple(parameter.shape):
                raise RunError(f"checkpoint {path} holds a different network from this run's ({spec['name']} is {spec['shape']})")
            parameter.copy_(value)
        if optimizer.defaults.get("momentum", 0) > 0:
            weight_of = {spec["name"]: slot for spec, slot in zip(models, slots)}
            for slot_name, weight in momentum_slots(artifacts, models).items():
                parameter, kind, role = weight_of[weight]
                optimizer.state[parameter]["momentum_buffer"] = from_tfjs(kind, role, arrays[slot_name]).to(parameter.device)


def warm_start(path, sha256, network):
    """The VGG paper's warm start: layers with the same name and shapes take the source's weights."""
    arrays, artifacts = read_checkpoint(path, sha256)
    source = {}
    for spec in model_specs(artifacts):
        source.setdefault(layer_of(spec["name"]), []).append(arrays[spec["name"]])
    copied, fresh = [], []
    with torch.no_grad():
        for name, kind, module in network.weighted:
            theirs = source.get(name)
            ours = [(module.weight, "kernel"), (module.bias, "bias")]
            values = None
            if theirs is not None and len(theirs) == 2:
                values = [from_tfjs(kind, role, array) for (_, role), array in zip(ours, theirs)]
            if values is not None and all(tuple(v.shape) == tuple(p.shape) for (p, _), v in zip(ours, values)):
                for (parameter, _), value in zip(ours, values):
                    parameter.copy_(value)
                copied.append(name)
            else:
                fresh.append(name)
    return copied, fresh


# ---- training -----------------------------------------------------------------------------------

def sgd_step(network, optimizer, x, y, autocast, layer_stats=None):
    """One SGD step on softmax cross-entropy (mean); returns the loss, the count of correct predictions and, with
    layer_stats (a sampled step), the layers' gradient and weight norms before the update, all still on the device."""
    # On a GPU, dropping the gradients saves a memset kernel. On the CPU it costs more than it saves: fresh gradient
    # buffers every step (allocated, first touched, freed) made 2-thread steps 5-6 % slower than zeroing them in place (level in a third try).
    optimizer.zero_grad(set_to_none=x.device.type != "cpu")
    with autocast():
        logits = network(x)
    loss = F.cross_entropy(logits.float(), y)
    loss.backward()
    norms = layer_stats.measure() if layer_stats is not None else None
    optimizer.step()
    correct = (logits.detach().argmax(1) == y).sum()
    return loss.detach(), correct, norms


def evaluate(network, test, batch_size, classes, autocast):
    """Accuracy and confusion[true][predicted] on the test set, in file order, dropout off."""
    network.eval()
    codes = []  # true * classes + predicted, per image, left on the device until the end
    with torch.no_grad():
        for start in range(0, test.count, batch_size):
            indices = torch.arange(start, min(start + batch_size, test.count), device=test.labels.device)
            x, y = test.batch(indices)
            with autocast():
                predicted = network(x).argmax(1)
            codes.append(y * classes + predicted)
    network.train()
    # One copy to the host per evaluation; bincount there, as not every device has it (older MPS).
    counts = torch.bincount(torch.cat(codes).cpu(), minlength=classes * classes) if codes else torch.zeros(classes * classes, dtype=torch.int64)
    matrix = counts.view(classes, classes).tolist()
    correct = sum(matrix[i][i] for i in range(classes))
    return correct / max(test.count, 1), matrix


def layer_stats_interval(setting, steps_per_epoch):
    """shared/train/layer-stats.ts's layerStatsInterval: batches between two recorded points, or None for "off"."""
    if setting == "off":
        return None
    if setting is not None:
        return int(setting)
    return max(1, math.ceil(steps_per_epoch / DEFAULT_LAYER_POINTS_PER_EPOCH))


def js_divide(numerator, denominator):
    """numerator / denominator as JavaScript divides: x / 0 is Infinity (NaN for 0 / 0), never an exception."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(numerator) / np.float64(denominator))


def kernel_histogram(kernel):
    """(min, max, counts) of a kernel in HISTOGRAM_BINS equal bins, still on the device; the arithmetic of
    core/train/layer-stats.ts's onEngineHistogram, in float32: the max lands in the last bin, a constant kernel
    (min == max) puts every weight in the first. A NaN weight goes to the first bin rather than failing bincount."""
    flat = kernel.detach().reshape(-1).float()
    low, high = flat.min(), flat.max()
    scale = HISTOGRAM_BINS / torch.clamp(high - low, min=1e-12)
    # One temporary the kernel's size (in place from there): VGG-16's fc1 at 224 px is 103 M weights.
    bins = flat - low
    bins.mul_(scale).floor_().nan_to_num_(nan=0.0).clamp_(0, HISTOGRAM_BINS - 1)
    bins = bins.long()
    try:
        counts = torch.bincount(bins, minlength=HISTOGRAM_BINS)
    except (RuntimeError, NotImplementedError):
        # A device without bincount (older MPS): the same bins counted on the cpu.
        counts = torch.bincount(bins.cpu(), minlength=HISTOGRAM_BINS)
    return low, high, counts


class LayerStats:
    """Per-layer statistics as the tfjs engines record them (core/train/layer-stats.ts): on a sampled step, each
    conv and dense layer's gradient and weight norms (kernel and bias together); once per epoch, each kernel's
    histogram and each block's fraction of dead ReLU outputs on the first PROBE_IMAGES test images."""

    def __init__(self, network, every, lr, probe_images, side):
        self.network, self.every, self.lr = network, every, lr
        self.probe_images = probe_images
        # Small chunks on large images, as tfjs: block 1 of a VGG on 224x224 is 12 MB of activations per image.
        self.chunk = PROBE_IMAGES if side <= 32 else (8 if side <= 96 else 2)

    def samples(self, step):
        return step % self.every == 0

    def measure(self):
        """After backward, before optimizer.step: one device tensor [|g| per parameter..., |w| per parameter...]
        (kernel, bias per layer), read with the step's loss, so a sampled step adds no wait of its own."""
        parameters = [p for _, _, module in self.network.weighted for p in (module.weight, module.bias)]
        for parameter in parameters:
            if parameter.grad is None:
                raise RuntimeError("a conv or dense layer has no gradient after backward")
        with torch.no_grad():
            return torch.stack([torch.linalg.vector_norm(p.grad.float()) for p in parameters]
                               + [torch.linalg.vector_norm(p.detach().float()) for p in parameters])

    def step_event(self, epoch, step, norms):
        """The layerStep event from measure()'s floats, read on the host."""
        values = norms.tolist()
        half = len(values) // 2
        layers = []
        for i, (name, _, _) in enumerate(self.network.weighted):
            grad_norm = math.sqrt(values[2 * i] ** 2 + values[2 * i + 1] ** 2)
            weight_norm = math.sqrt(values[half + 2 * i] ** 2 + values[half + 2 * i + 1] ** 2)
            layers.append({"layer": name, "gradNorm": grad_norm, "weightNorm": weight_norm,
                           "updateRatio": js_divide(self.lr * grad_norm, weight_norm)})
        return {"type": "layerStep", "time": now_ms(), "epoch": epoch, "step": step, "layers": layers}

    def histograms(self):
        result = []
        with torch.no_grad():
            for name, _, module in self.network.weighted:
                low, high, counts = kernel_histogram(module.weight)
                low, high = torch.stack([low, high]).tolist()
                result.append({"layer": name, "min": low, "max": high, "counts": [int(c) for c in counts.tolist()]})
        return result

    def dead_units(self):
        """Per block, the fraction of its ReLU outputs that are <= 0 (exactly 0: ReLU) on the probe images, dropout off."""
        relus = self.network.relus
        if not relus or self.probe_images.count == 0:
            return []
        zeros = torch.zeros(len(relus), dtype=torch.int64, device=self.probe_images.labels.device)
        totals = [0] * len(relus)
        self.network.eval()
        try:
            with torch.no_grad():
                for start in range(0, self.probe_images.count, self.chunk):
                    indices = torch.arange(start, min(start + self.chunk, self.probe_images.count), device=zeros.device)
                    x, _ = self.probe_images.batch(indices)
                    outputs = self.network.relu_outputs(x)
                    zeros += torch.stack([(out <= 0).sum() for out in outputs])
                    for i, out in enumerate(outputs):
                        totals[i] += out.numel()
        finally:
            self.network.train()
        counted = zeros.tolist()
        by_block, total_by_block = {}, {}
        for (_, _, block), zero, total in zip(relus, counted, totals):
            by_block[block] = by_block.get(block, 0) + zero
            total_by_block[block] = total_by_block.get(block, 0) + total
        return [{"block": block, "fraction": by_block[block] / total} for block, total in total_by_block.items()]

    def epoch_event(self, epoch):
        histograms = self.histograms()
        return {"type": "layerEpoch", "time": now_ms(), "epoch": epoch, "histograms": histograms, "dead": self.dead_units()}


class Steps:
    """Batch events from step values read one step late on an asynchronous device, so it never waits on the host."""

    def __init__(self, lag, epoch, steps_per_epoch, layer_stats=None):
        self.lag, self.epoch, self.steps_per_epoch = lag, epoch, steps_per_epoch
        self.layer_stats = layer_stats
        self.pending = []
        self.loss_sum = 0.0
        self.correct = 0
        self.seen = 0
        self.last_arrival = 0.0

    def add(self, values, size, batch_index, enqueued_at):
        self.pending.append((values, size, batch_index, enqueued_at))
        while len(self.pending) > self.lag:
            self.complete()

    def drain(self):
        while self.pending:
            self.complete()

    def complete(self):
        (loss, correct, norms), size, batch_index, enqueued_at = self.pending.pop(0)
        loss, correct = float(loss.item()), int(correct.item())
        arrived = time.perf_counter()
        # The step's share of the pipeline: since the previous step's values arrived, or since it was enqueued if later.
        seconds = max(arrived - max(self.last_arrival, enqueued_at), 1e-9)
        self.last_arrival = arrived
        self.loss_sum += loss * size
        self.correct += correct
        self.seen += size
        step = self.epoch * self.steps_per_epoch + batch_index
        send_event({"type": "batch", "time": now_ms(), "epoch": self.epoch, "step": step,
                    "batch": batch_index, "loss": loss, "accuracy": correct / size, "imagesPerSec": size / seconds})
        if norms is not None:
            # Read with the step's loss (one step late on an asynchronous device), so it adds no wait of its own.
            send_event(self.layer_stats.step_event(self.epoch, step, norms))


def train(job, control):
    run_start = time.perf_counter()
    config = job["config"]
    device_kind = choose_device(job.get("device", "auto"))
    device = torch.device(device_kind)
    if device_kind == "cpu" and isinstance(job.get("threads"), int) and job["threads"] >= 1:
        set_cpu_threads(job["threads"], job.get("blasThreads"))
    on_cuda = device_kind == "cuda"
    if on_cuda:
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN time its algorithms once
        refuse_what_does_not_fit(job)
    autocast, precision = autocast_for(device_kind, job.get("precision", "fp32"))

    data = job["data"]
    train_limit, test_limit = config.get("trainLimit"), config.get("testLimit")
    train_images = read_idx(data["trainImages"], 3, train_limit)
    train_labels = read_idx(data["trainLabels"], 1, train_limit)
    test_images = read_idx(data["testImages"], 3, test_limit)
    test_labels = read_idx(data["testLabels"], 1, test_limit)
    side, classes = int(job["side"]), int(job["classes"])
    train_set = DeviceImages(train_images, train_labels, device, side, on_cuda)
    test_set = DeviceImages(test_images, test_labels, device, side, on_cuda)

    seed = int(config.get("seed", 0))
    torch.manual_seed(seed)
    layers = job["layers"]
    network = Network(layers, side, name_layers(layers))
    network.initialise()
    network.to(device)
    if on_cuda:
        network.to(memory_format=torch.channels_last)
    momentum = float(config.get("momentum", 0))
    optimizer = torch.optim.SGD(network.parameters(), lr=float(config["lr"]), momentum=momentum)

    warm = job.get("warmStart")
    resume = job.get("resume")
    warm_event = None
    if warm is not None and resume is None:
        copied, fresh = warm_start(warm["path"], warm.get("sha256"), network)
        warm_event = {"fromRun": warm["runId"], "epoch": warm["epoch"], "copied": copied, "fresh": fresh}
    first_epoch = 0
    if resume is not None:
        restore_checkpoint(resume["path"], resume.get("sha256"), network, optimizer)
        first_epoch = int(resume["epoch"]) + 1

    batch_size = int(config["batchSize"])
    bench_steps = job.get("benchSteps")
    bench_seconds = float(job.get("benchSeconds", 0))
    # The bench times whole batches only; a run trains the last, smaller one too.
    steps_per_epoch = train_set.count // batch_size if bench_steps is not None else math.ceil(train_set.count / batch_size)
    if steps_per_epoch < 1:
        raise RunError(f"the bench needs at least one whole batch of {batch_size}: raise trainLimit")
    # The bench times plain steps, as the tfjs bench does without --layer-stats.
    stats_every = None if bench_steps is not None else layer_stats_interval(config.get("layerStats"), steps_per_epoch)
    layer_stats = None
    if stats_every is not None:
        # The dead-ReLU probe is the first PROBE_IMAGES test images whatever the run's testLimit, as on tfjs.
        probe_images, probe_labels = test_images[:PROBE_IMAGES], test_labels[:PROBE_IMAGES]
        if len(probe_images) < PROBE_IMAGES and test_limit is not None:
            probe_images = read_idx(data["testImages"], 3, PROBE_IMAGES)
            probe_labels = read_idx(data["testLabels"], 1, PROBE_IMAGES)
        probe_set = DeviceImages(probe_images, probe_labels, device, side, on_cuda)
        layer_stats = LayerStats(network, stats_every, float(config["lr"]), probe_set, side)
    engine = dict(job.get("engine") or {})
    engine.update({"id": "pytorch", "backend": device_kind, "version": torch.__version__,
                   "detail": f"{device_kind} · {device_name(device_kind)} · {precision}"})
    if device_kind == "cpu":
        engine["threads"] = torch.get_num_threads()
    else:
        engine.pop("threads", None)
    params = sum(p.numel() for p in network.parameters())
    start = {"type": "start", "time": now_ms(), "config": config, "engine": engine, "params": params, "macs": job.get("macs", 0),
             "trainSize": train_set.count, "testSize": test_set.count, "stepsPerEpoch": steps_per_epoch, "firstEpoch": first_epoch}
    if warm_event is not None:
        start["warmStart"] = warm_event
    send_event(start)

    # On the CPU a step has computed everything when it returns: reading at once times each step right.
    lag = 0 if device_kind == "cpu" else 1
    checkpoint = job.get("checkpoint") if bench_steps is None else None
    eval_batch = max(batch_size, EVALUATION_BATCH)
    epochs_done = first_epoch
    steps_done = first_epoch * steps_per_epoch
    network.train()

    def finish(status):
        send_event({"type": "done", "time": now_ms(), "status": status, "epochs": epochs_done, "seconds": time.perf_counter() - run_start})

    epoch = first_epoch
    bench_started, bench_done = None, 0
    while epoch < int(config["epochs"]) or bench_steps is not None:
        epoch_start = time.perf_counter()
        order = torch.tensor(epoch_order(train_set.count, seed, epoch), dtype=torch.int64, device=device)
        steps = Steps(lag, epoch, steps_per_epoch, layer_stats)
        for batch_index in range(steps_per_epoch):
            if control.cancelled.is_set():
                steps.drain()  # the step in flight has trained: its event is owed before the run ends
                return finish("cancelled")
            x, y = train_set.batch(order[batch_index * batch_size:(batch_index + 1) * batch_size])
            enqueued_at = time.perf_counter()
            sampled = layer_stats is not None and layer_stats.samples(epoch * steps_per_epoch + batch_index)
            steps.add(sgd_step(network, optimizer, x, y, autocast, layer_stats if sampled else None), int(y.shape[0]), batch_index, enqueued_at)
            steps_done += 1
            if bench_steps is not None:
                # One untimed warm-up step, then windows of benchSteps until benchSeconds have passed.
                bench_done += 1
                if bench_done == 1:
                    bench_started = time.perf_counter()
                timed = bench_done - 1
                if timed >= bench_steps and timed % bench_steps == 0 and time.perf_counter() - bench_started >= bench_seconds:
                    steps.drain()
                    return finish("completed")
        steps.drain()
        if bench_steps is not None:
            epoch += 1
            continue
        train_seconds = time.perf_counter() - epoch_start
        accuracy, confusion = evaluate(network, test_set, eval_batch, classes, autocast)
        send_event({"type": "epoch", "time": now_ms(), "epoch": epoch, "loss": steps.loss_sum / steps.seen,
                    "trainAcc": steps.correct / steps.seen, "testAcc": accuracy, "seconds": time.perf_counter() - epoch_start,
                    "imagesPerSec": steps.seen / train_seconds})
        if layer_stats is not None:
            send_event(layer_stats.epoch_event(epoch))
        emit({"type": "evaluation", "epoch": epoch, "confusion": confusion})
        epochs_done = epoch + 1
        is_last = epoch == int(config["epochs"]) - 1
        if checkpoint is not None and (checkpoint.get("policy") == "every" or is_last):
            path = os.path.join(checkpoint["dir"], f"epoch-{epoch}.ckpt")
            size, digest = write_checkpoint(path, checkpoint["template"], network, optimizer, steps_done)
            emit({"type": "checkpoint", "epoch": epoch, "path": path, "bytes": size, "sha256": digest})
        epoch += 1
        if control.cancelled.is_set():
            return finish("cancelled")
    return finish("completed")


def refuse_what_does_not_fit(job):
    """A run that cannot fit the GPU's free memory is refused before it allocates anything."""
    need = job.get("memoryBytes")
    if not isinstance(need, (int, float)) or not hasattr(torch.cuda, "mem_get_info"):
        return
    free, total = torch.cuda.mem_get_info()
    if free < need:
        raise RunError(f"this run needs about {need / 2**30:.1f} GiB of GPU memory and {torch.cuda.get_device_name(0)} has "
                       f"{free / 2**30:.1f} GiB free of {total / 2**30:.1f} GiB: reduce the batch size, the resize or the width")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", action="store_true", help="print torch's version and the best device, then exit")
    args = parser.parse_args()
    if args.probe:
        probe()
        return 0
    control = None
    try:
        line, leftover = read_first_line(sys.stdin.fileno())
        job = read_job(line)
        control = Control(sys.stdin.fileno(), leftover)
        train(job, control)
        return 0
    except RunError as error:
        send_event({"type": "error", "time": now_ms(), "message": str(error)})
        return 0
    except Exception as error:  # noqa: BLE001  (a failure of any kind is reported as the run's error, then on stderr)
        send_event({"type": "error", "time": now_ms(), "message": f"{type(error).__name__}: {error}"})
        raise
    finally:
        if control is not None:
            control.finished.set()


if __name__ == "__main__":
    sys.exit(main())
