"""The pytorch engine's cost of per-layer statistics (issue 32), measured as scripts/layer-stats-cost.ts
measures the tfjs engines': in one process, so that a shared machine's swings cannot hide it.

    npx tsx scripts/layer-stats-cost-torch.ts [workload ...] [--pairs 40]

(the TypeScript side builds each workload's job as the runner does and runs this with Debian's /usr/bin/python3).
One job line on stdin; the trainer script's own network, steps and statistics (resources/pytorch/vgg_trainer.py)
are imported, not copied. Plain steps and measured steps (norms after backward, read on the host and made into
the layerStep event) alternate; the per-step cost at the default interval N is the median extra time of a
measured step over N median plain steps, plus the once-an-epoch part (histograms and dead units on the probe
batch) shared over a full-set epoch. The pairs run in random order. Prints one JSON line.
"""
import importlib.util
import json
import random
import statistics
import sys
import time

trainer_path, steps_per_epoch, every, pairs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("vgg_trainer", trainer_path)
vt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vt)
import torch  # noqa: E402  (after the trainer, which sets up torch as a run does)

job = json.loads(sys.stdin.readline())
config = job["config"]
vt.set_cpu_threads(job["threads"], job.get("blasThreads"))
device = torch.device("cpu")
side, batch = int(job["side"]), int(config["batchSize"])
data = job["data"]
train_set = vt.DeviceImages(vt.read_idx(data["trainImages"], 3, 4096), vt.read_idx(data["trainLabels"], 1, 4096), device, side, False)
probe = vt.DeviceImages(vt.read_idx(data["testImages"], 3, vt.PROBE_IMAGES), vt.read_idx(data["testLabels"], 1, vt.PROBE_IMAGES), device, side, False)
torch.manual_seed(0)
network = vt.Network(job["layers"], side, vt.name_layers(job["layers"]))
network.initialise()
optimizer = torch.optim.SGD(network.parameters(), lr=float(config["lr"]), momentum=float(config.get("momentum", 0)))
stats = vt.LayerStats(network, every, float(config["lr"]), probe, side)
order = torch.randperm(train_set.count)
cursor = 0


def one_step(measured):
    global cursor
    if (cursor + 1) * batch > train_set.count:
        cursor = 0
    x, y = train_set.batch(order[cursor * batch:(cursor + 1) * batch])
    cursor += 1
    started = time.perf_counter()
    loss, correct, norms = vt.sgd_step(network, optimizer, x, y, vt._no_autocast, stats if measured else None)
    loss, correct = float(loss.item()), int(correct.item())
    # Every step is followed by its batch event, as in a run, so both kinds of step follow the same host work.
    json.dumps({"type": "batch", "loss": loss, "accuracy": correct / batch})
    if norms is not None:
        json.dumps(stats.step_event(0, 0, norms))
    return time.perf_counter() - started


for _ in range(3):
    one_step(False), one_step(True)
plain, measured = [], []
order_rng = random.Random(0)
for _ in range(pairs):
    # In either order, so neither kind always follows the other's host work.
    if order_rng.random() < 0.5:
        plain.append(one_step(False))
        measured.append(one_step(True))
    else:
        measured.append(one_step(True))
        plain.append(one_step(False))
epoch_parts = []
for _ in range(3):
    started = time.perf_counter()
    json.dumps(stats.epoch_event(0))
    epoch_parts.append(time.perf_counter() - started)
step = statistics.median(plain)
extra = statistics.median(measured) - step
epoch_part = statistics.median(epoch_parts)
print(json.dumps({"plainStepMs": step * 1e3, "measuredStepMs": (step + extra) * 1e3, "epochPartMs": epoch_part * 1e3,
                  "every": every, "stepsPerEpoch": steps_per_epoch,
                  "costPercent": 100 * (extra / every + epoch_part / steps_per_epoch) / step}))
