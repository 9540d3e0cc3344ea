"""numpy twins of the bench workloads: the same computation as the TypeScript experiment, in float32.

Usage: python3 workloads.py <deepLinear|mlp|eos|ntk> '<json params>'  ->  prints {"stepsPerSecond": ...}

Each twin mirrors its experiment file op for op where that is what numpy code would do (the same shapes, the
same number of gradient evaluations, observables at the same cadence, first step to last timed), with the
gradients written by hand, as a numpy user would. Random draws differ from tfjs's; no workload branches on
values, so the timing does not depend on them.
"""
import json
import sys
import time

import numpy as np

F = np.float32


def sample_steps(every, steps):
    """Steps after which an observable is sampled: every `every` steps and the last (src/runner/schedule.ts)."""
    return lambda done: done % every == 0 or done == steps


def deep_linear(p):
    """templates/deepLinear.exp.ts: W_L...W_1 (times I, as endToEnd does), full-batch GD, c = 1."""
    targets = np.array(p["targets"], F)
    d, depth, steps, lr = len(targets), p["depth"], p["steps"], F(p.get("lr", 0.002))
    rng = np.random.default_rng(0)
    x = np.eye(d, dtype=F) * F(np.sqrt(d))
    y = np.diag(targets) @ x
    ws = [(rng.standard_normal((d, d)) * p.get("init", 1e-4)).astype(F) for _ in range(depth)]
    c = F(1.0 / d)
    eye = np.eye(d, dtype=F)
    due = sample_steps(10, steps)

    def end_to_end():
        product = eye
        for w in ws:
            product = w @ product
        return product

    start = time.perf_counter()
    for t in range(steps):
        prefixes = [eye]
        for w in ws:
            prefixes.append(w @ prefixes[-1])
        residual = prefixes[-1] @ x - y
        grad = (F(2) * c) * residual @ x.T
        for l in range(depth - 1, -1, -1):
            w_grad = grad @ prefixes[l].T
            grad = ws[l].T @ grad
            ws[l] -= lr * w_grad
        if due(t + 1):
            loss = float(np.sum(np.square(end_to_end() @ x - y)) * c)
            modes = np.diag(end_to_end()).tolist()
    return steps / (time.perf_counter() - start), {"loss": loss, "modes0": modes[0]}


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(F)


def mlp(p):
    """bench/workloads/mlp.exp.ts: 784-512-512-10 relu, softmax cross-entropy (mean), SGD."""
    batch, steps, lr = p.get("batch", 128), p["steps"], F(p.get("lr", 0.01))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784)).astype(F)
    y = np.eye(10, dtype=F)[rng.integers(0, 10, batch)]
    sizes = [784, 512, 512, 10]
    ws = [glorot(rng, a, b) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b, F) for b in sizes[1:]]
    start = time.perf_counter()
    for _ in range(steps):
        z1 = x @ ws[0] + bs[0]
        a1 = np.maximum(z1, 0)
        z2 = a1 @ ws[1] + bs[1]
        a2 = np.maximum(z2, 0)
        logits = a2 @ ws[2] + bs[2]
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = -float(np.sum(y * (shifted - np.log(s)))) / batch
        g3 = (e / s - y) / F(batch)
        g2 = (g3 @ ws[2].T) * (z2 > 0)
        g1 = (g2 @ ws[1].T) * (z1 > 0)
        grads = [(x.T @ g1, g1.sum(axis=0)), (a1.T @ g2, g2.sum(axis=0)), (a2.T @ g3, g3.sum(axis=0))]
        for (w, b), (gw, gb) in zip(zip(ws, bs), grads):
            w -= lr * gw
            b -= lr * gb
    return steps / (time.perf_counter() - start), {"loss": loss}


class TanhMlp:
    """f(x) = tanh(tanh(x W1 + b1) W2 + b2) W3 + b3 with 1/2-MSE over n points, as bench/workloads/eos.exp.ts."""

    def __init__(self, x, y):
        self.x, self.y, self.n = x, y, x.shape[0]

    def loss(self, params):
        w1, b1, w2, b2, w3, b3 = params
        r = np.tanh(np.tanh(self.x @ w1 + b1) @ w2 + b2) @ w3 + b3 - self.y
        return F(0.5) * np.sum(r * r) / F(self.n)

    def loss_grad(self, params):
        w1, b1, w2, b2, w3, b3 = params
        h1 = np.tanh(self.x @ w1 + b1)
        h2 = np.tanh(h1 @ w2 + b2)
        r = h2 @ w3 + b3 - self.y
        loss = F(0.5) * np.sum(r * r) / F(self.n)
        g = r / F(self.n)
        g2 = (g @ w3.T) * (F(1) - h2 * h2)
        g1 = (g2 @ w2.T) * (F(1) - h1 * h1)
        grads = [self.x.T @ g1, g1.sum(0), h1.T @ g2, g2.sum(0), h2.T @ g, g.sum(0)]
        return loss, grads


def eos(p):
    """bench/workloads/eos.exp.ts: full-batch GD; every 50 steps the sharpness by power iteration on
    central finite-difference Hessian-vector products, Hv = [g(th + eps v) - g(th - eps v)] / (2 eps)."""
    n, dim, width, classes = p.get("n", 500), p.get("dim", 30), p.get("width", 100), p.get("classes", 5)
    steps, lr, iters = p["steps"], F(p.get("lr", 0.3)), p.get("iterations", 20)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, dim)).astype(F)
    y = np.eye(classes, dtype=F)[np.argmax(x @ rng.standard_normal((dim, classes)), axis=1)]
    sizes = [dim, width, width, classes]
    params = []
    for a, b in zip(sizes, sizes[1:]):
        params += [(rng.standard_normal((a, b)) / np.sqrt(a)).astype(F), np.zeros(b, F)]
    model = TanhMlp(x, y)
    v = [rng.standard_normal(q.shape).astype(F) for q in params]
    due_loss, due_sharp = sample_steps(10, steps), sample_steps(50, steps)

    def sharpness():
        nonlocal v
        count = sum(q.size for q in params)
        norm = np.sqrt(sum(float(np.sum(q * q)) for q in params))
        eps = F(1e-3 * max(1.0, norm / np.sqrt(count)))
        lam = 0.0
        for _ in range(iters):
            vn = np.sqrt(sum(float(np.sum(u * u)) for u in v))
            v = [u / F(vn) for u in v]
            _, gp = model.loss_grad([q + eps * u for q, u in zip(params, v)])
            _, gm = model.loss_grad([q - eps * u for q, u in zip(params, v)])
            hv = [(a - b) / (F(2) * eps) for a, b in zip(gp, gm)]
            lam = sum(float(np.sum(a * b)) for a, b in zip(v, hv))
            v = hv
        return lam

    start = time.perf_counter()
    for t in range(steps):
        _, grads = model.loss_grad(params)
        for q, g in zip(params, grads):
            q -= lr * g
        if due_loss(t + 1):
            loss = float(model.loss(params))
        if due_sharp(t + 1):
            lam = sharpness()
    return steps / (time.perf_counter() - start), {"loss": loss, "sharpness": lam}


def ntk(p):
    """bench/workloads/ntk.exp.ts: the empirical NTK Theta = J J^T of a one-hidden-layer tanh MLP in NTK
    parameterization, f(x) = v . tanh(W x / sqrt(d) + b) / sqrt(width) + c, J the per-example gradients
    (looped over the points, as the experiment does), one eNTK per step."""
    points, dim, width, steps = p.get("points", 256), p.get("dim", 64), p.get("width", 1024), p["steps"]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((points, dim)).astype(F)
    w = rng.standard_normal((dim, width)).astype(F)
    b = rng.standard_normal(width).astype(F)
    v = rng.standard_normal(width).astype(F)
    sd, sw = F(1 / np.sqrt(dim)), F(1 / np.sqrt(width))
    start = time.perf_counter()
    for _ in range(steps):
        rows = []
        for i in range(points):
            xi = x[i : i + 1] * sd
            h = np.tanh(xi @ w + b)
            delta = (v * sw) * (F(1) - h * h)
            rows.append(np.concatenate([(xi.T @ delta).ravel(), delta.ravel(), (h * sw).ravel(), [F(1)]]))
        jac = np.stack(rows)
        kernel = jac @ jac.T
        trace = float(np.trace(kernel))
    return steps / (time.perf_counter() - start), {"trace": trace}


WORKLOADS = {"deepLinear": deep_linear, "mlp": mlp, "eos": eos, "ntk": ntk}

if __name__ == "__main__":
    name, params = sys.argv[1], json.loads(sys.argv[2])
    rate, last = WORKLOADS[name](params)
    print(json.dumps({"stepsPerSecond": rate, "last": last, "numpy": np.__version__}))
