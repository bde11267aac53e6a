#!/usr/bin/python3
"""The Python baseline of benchmarks/nn_inference_aware.cpp: one epoch of inference-aware training
in the INFERNO setting, written the way the public PyTorch INFERNO implementation (pytorch_inferno)
computes its loss: the network's softmax histograms of signal, nominal background and background
with inputs shifted by the nuisances as functions of the parameters alpha; the Asimov negative
log-likelihood -Poisson(nu(alpha)).log_prob(asimov) with asimov = nu(nominal) (a function of the
weights, not of alpha); its gradient with create_graph; the Hessian by a Python loop over its rows
(one torch.autograd.grad per row); the inverse, (H^-1)_00, backward, Adam step.

    nn_inference_aware_baseline.py DATA.bin WEIGHTS.bin ROWS BATCH THREADS CONSTRAINED(0|1)

DATA.bin: ROWS x 4 float64 (x0, x1, x2, label; label 1 signal). WEIGHTS.bin: float32 weight and
bias of the 3->100->100->10 network's three Linear layers, in order. Prints one JSON line
{"seconds": s, "first_loss": l0, "last_loss": l} (the epoch's wall time after one untimed warm-up
step; the loss of the first batch at the given weights). Exit 5 when torch cannot be imported.
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

TAU = 0.1
SIGNAL, BACKGROUND = 50.0, 1000.0
NOMINAL = [1.0, 0.0, 3.0]  # mu, r, lambda


def jacobian(y, x, create_graph=False):
    """d y / d x by a Python loop over the elements of y (pytorch_inferno's jacobian; a fresh one-hot
    grad_outputs per row, since with create_graph the graph keeps it and an in-place reset breaks
    the backward of the loss)."""
    jac = []
    flat_y = y.reshape(-1)
    for i in range(len(flat_y)):
        grad_y = torch.zeros_like(flat_y)
        grad_y[i] = 1.0
        (grad_x,) = torch.autograd.grad(flat_y, x, grad_y, retain_graph=True, create_graph=create_graph)
        jac.append(grad_x.reshape(x.shape))
    return torch.stack(jac).reshape(y.shape + x.shape)


def calc_grad_hesse(loss, params, create_graph=False):
    grad = jacobian(loss, params, create_graph=True)
    hesse = jacobian(grad, params, create_graph=create_graph)
    return grad, hesse


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(3))
        self.register_buffer("scale", torch.ones(3))
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(3, 100), torch.nn.ReLU(), torch.nn.Linear(100, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10)
        )

    def forward(self, x):
        return self.layers((x - self.mean) / self.scale)


def load_weights(net, path):
    values = array.array("f")
    with open(path, "rb") as f:
        values.frombytes(f.read())
    flat = torch.tensor(values, dtype=torch.float32)
    at = 0
    with torch.no_grad():
        for layer in (net.layers[0], net.layers[2], net.layers[4]):
            for p in (layer.weight, layer.bias):
                p.copy_(flat[at : at + p.numel()].view_as(p))
                at += p.numel()
    assert at == flat.numel(), "weights file does not match the network"


def to_shape(out, w, expected):
    """Softmax histogram (INFERNO), normalised to the expected events, in float64."""
    h = (torch.softmax(out / TAU, 1) * w.view(-1, 1)).sum(0).to(torch.float64)
    return h * (expected / w.sum().item())


def loss_of(net, xb, wb, xs, ws, constrained):
    alpha = torch.tensor(NOMINAL, dtype=torch.float64, requires_grad=True)
    f_s = to_shape(net(xs), ws, SIGNAL)
    f_b_nom = to_shape(net(xb), wb, BACKGROUND)
    shifted = torch.stack([xb[:, 0] + alpha[1], xb[:, 1], xb[:, 2] * 3 / alpha[2]], 1)
    f_b = to_shape(net(shifted), wb, BACKGROUND)
    nu = alpha[0] * f_s + f_b
    asimov = NOMINAL[0] * f_s + f_b_nom
    nll = -torch.distributions.Poisson(nu, validate_args=False).log_prob(asimov).sum()
    if constrained:
        nll = nll - torch.distributions.Normal(0.0, 0.4).log_prob(alpha[1])
        nll = nll - torch.distributions.Normal(3.0, 1.0).log_prob(alpha[2])
    _, h = calc_grad_hesse(nll, alpha, create_graph=True)
    return torch.inverse(h)[0, 0].to(torch.float32)


def main():
    data_path, weights_path, rows, batch, threads, constrained = sys.argv[1:7]
    rows, batch, threads, constrained = int(rows), int(batch), int(threads), constrained == "1"
    torch.set_num_threads(threads)
    values = array.array("d")
    with open(data_path, "rb") as f:
        values.frombytes(f.read())
    data = torch.tensor(values, dtype=torch.float64).view(rows, 4)
    x = data[:, :3].to(torch.float32).contiguous()
    labels = data[:, 3]
    w = torch.ones(rows, dtype=torch.float32)
    net = Net()

    def step(opt, b):
        sl = slice(b * batch, (b + 1) * batch)
        xb_all, lab, wb_all = x[sl], labels[sl], w[sl]
        bkg, sig = (lab == 0).nonzero().view(-1), (lab == 1).nonzero().view(-1)
        loss = loss_of(net, xb_all[bkg], wb_all[bkg], xb_all[sig], wb_all[sig], constrained)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    # one untimed warm-up step, then the epoch from the given weights again
    load_weights(net, weights_path)
    step(torch.optim.Adam(net.parameters(), lr=1e-3), 0)
    load_weights(net, weights_path)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    start = time.perf_counter()
    first = last = step(opt, 0)
    for b in range(1, rows // batch):
        last = step(opt, b)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "first_loss": first, "last_loss": last}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
