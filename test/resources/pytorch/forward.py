"""Test helper: the trainer script's network, weights read from a VGGWCKP1 checkpoint, logits of the first test images.

    python forward.py <vgg_trainer.py> <checkpoint> <count>   < job.json   ->   [[logit, ...], ...]

It uses the script's own builder, reader and resize, so a test compares them with tfjs's.
"""
import importlib.util
import json
import sys

script, checkpoint, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = importlib.util.spec_from_file_location("vgg_trainer", script)
trainer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trainer)
torch = trainer.torch

job = json.loads(sys.stdin.readline())
torch.set_num_threads(1)
network = trainer.Network(job["layers"], job["side"], trainer.name_layers(job["layers"]))
optimizer = torch.optim.SGD(network.parameters(), lr=0.1, momentum=0.9)
trainer.restore_checkpoint(checkpoint, None, network, optimizer)
network.eval()
images = trainer.read_idx(job["data"]["testImages"], 3, count)
labels = trainer.read_idx(job["data"]["testLabels"], 1, count)
test = trainer.DeviceImages(images, labels, torch.device("cpu"), job["side"], False)
x, _ = test.batch(torch.arange(count))
with torch.no_grad():
    print(json.dumps(network(x).tolist()))
