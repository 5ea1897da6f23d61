"""Test helper: the trainer script's layer-statistics parts on given inputs, for a test to compare with tfjs's.

    python layer-stats-parts.py <vgg_trainer.py>   < {"networks": [{"layers": [...], "side": 32}, ...],
                                                       "kernels": [[value, ...], ...], "divisions": [[a, b], ...]}
    -> {"relus": [[[layer, block], ...] per network], "weighted": [[layer, ...] per network],
        "histograms": [{"min", "max", "counts"} per kernel], "divisions": [a / b as the wire writes it, ...]}
"""
import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location("vgg_trainer", sys.argv[1])
trainer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trainer)
torch = trainer.torch

request = json.loads(sys.stdin.readline())
relus, weighted = [], []
for network in request["networks"]:
    built = trainer.Network(network["layers"], network["side"], trainer.name_layers(network["layers"]))
    relus.append([[name, block] for name, _, block in built.relus])
    weighted.append([name for name, _, _ in built.weighted])
histograms = []
for values in request["kernels"]:
    low, high, counts = trainer.kernel_histogram(torch.tensor(values, dtype=torch.float32))
    histograms.append({"min": float(low), "max": float(high), "counts": [int(c) for c in counts.tolist()]})
divisions = [trainer.js_divide(a, b) for a, b in request["divisions"]]
print(json.dumps(trainer.wire({"relus": relus, "weighted": weighted, "histograms": histograms, "divisions": divisions})))
