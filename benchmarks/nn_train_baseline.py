#!/usr/bin/python3
"""The Python baseline of benchmarks/nn_train.cpp: the same network, data and loop as
hepkit::nn::train (src/nn/Train.cpp) written in python3-torch as a PyTorch user writes it.

    nn_train_baseline.py DATA.bin ROWS FEATURES HIDDEN(comma list) EPOCHS BATCH THREADS SEED

DATA.bin: ROWS × (FEATURES + 1) float64, row-major, the label last. Prints one JSON line
{"events_per_second": x, "train_loss": [...]} (training passes only, as hepkit counts them).
Exit 5 when torch cannot be imported.
"""
import array
import json
import sys
import time

try:
    import torch
except ImportError as e:
    print(f"python3-torch is not importable: {e}", file=sys.stderr)
    sys.exit(5)


class Net(torch.nn.Module):
    def __init__(self, features, hidden, mean, scale):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)
        layers, width = [], features
        for h in hidden:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            width = h
        layers.append(torch.nn.Linear(width, 1))
        self.layers = torch.nn.Sequential(*layers)

    def forward(self, x):
        return self.layers((x - self.mean) / self.scale)


def main():
    path, rows, features, hidden, epochs, batch, threads, seed = sys.argv[1:9]
    rows, features, epochs, batch, threads, seed = map(int, (rows, features, epochs, batch, threads, seed))
    hidden = [int(h) for h in hidden.split(",") if h]
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    values = array.array("d")
    with open(path, "rb") as f:
        values.frombytes(f.read())
    data = torch.tensor(values, dtype=torch.float64).view(rows, features + 1)
    x = data[:, :features].to(torch.float32).contiguous()
    y = data[:, features:].to(torch.float32).contiguous()
    w = torch.ones(rows, dtype=torch.float32)
    mean = data[:, :features].mean(0)
    scale = data[:, :features].std(0, unbiased=False)
    net = Net(features, hidden, mean.float(), scale.float())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    seconds, losses = 0.0, []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        order = torch.randperm(rows, generator=gen)
        loss_sum = torch.zeros(())
        weight_sum = torch.zeros(())
        for b in range(0, rows, batch):
            idx = order[b : b + batch]
            wb = w.index_select(0, idx)
            out = net(x.index_select(0, idx))
            l = torch.nn.functional.binary_cross_entropy_with_logits(out, y.index_select(0, idx), reduction="none")
            wl = (l.view(-1) * wb).sum()
            ws = wb.sum()
            opt.zero_grad()
            (wl / ws).backward()
            opt.step()
            loss_sum += wl.detach()
            weight_sum += ws
        seconds += time.perf_counter() - start
        losses.append((loss_sum / weight_sum).item())
    print(json.dumps({"events_per_second": rows * epochs / seconds, "train_loss": losses}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
