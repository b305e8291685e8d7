"""python3-torch references for tests/bench/v1_analyses.sh: the same forward work as three visalign commands.
Each prints "<seconds of the work after imports> <images>" on its last line (the script's whole process is timed
by the caller as well).

  v1 IMAGE_FOLDER NEURONS_TSV RATES_OUT.npy [threads] [repeats]
      `cnn v1-simulate`: decode every image (PIL), grey = mean of the channels minus 0.5, one matrix product with
      the Gabor bank of the neurons ours drew (neurons.tsv: simple cells, then complex cells as quadrature pairs;
      no gain normalisation: a positive gain per neuron changes neither the speed nor the per-neuron correlation
      the caller checks), half-rectification / energy, Poisson counts with repeats. Writes the rates (images x
      neurons).
  tuning MODEL LAYERS [threads] [batch]
      `cnn tuning --model MODEL --layers LAYERS`: METHODS' 1000 Gabor patches (224 px, sigma 35, 10 orientations x
      10 phases x 10 frequencies, grey replicated to RGB), ImageNet normalisation, the model's `features` children
      run in sequence in batches, the centre unit of every channel of each listed layer kept.
  noise IMAGES [threads] [chunk]
      `cnn white-noise --noise-images IMAGES` on the seed's small CNN (conv 20 5x5, pool, conv 50 5x5, pool, fc 500,
      fc 10; random weights: speed does not depend on them): uniform noise in [0, 1] from a seeded generator in
      chunks, the predicted class of each image, the noise summed per predicted class.
"""
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# The device of the work (the caller sets it to cuda when it benchmarks visalign on a GPU).
DEVICE = torch.device(os.environ.get("VISALIGN_BENCH_DEVICE", "cpu"))


def v1(folder, neurons_file, rates_out, threads=2, repeats=4):
    torch.set_num_threads(threads)
    start = time.perf_counter()
    from PIL import Image

    header, *rows = [line.rstrip("\n").split("\t") for line in open(neurons_file) if line.strip()]
    column = {name: i for i, name in enumerate(header)}
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    size = 224
    field_of_view = 6.4
    d = field_of_view / size
    centres = (np.arange(size) + 0.5 - size / 2) * d
    x = np.tile(centres, (size, 1))
    y = -x.T
    filters, simple, complex_ = [], 0, 0
    quadrature = []
    for row in rows:
        f = float(row[column["frequency_cpd"]])
        theta = math.radians(float(row[column["orientation_deg"]]))
        phase = math.radians(float(row[column["phase_deg"]]))
        sigma = float(row[column["sigma_deg"]])
        x0, y0 = float(row[column["x_deg"]]), float(row[column["y_deg"]])
        envelope = np.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * sigma ** 2))
        carrier = 2 * math.pi * f * ((x - x0) * math.cos(theta) + (y - y0) * math.sin(theta))
        if row[column["type"]] == "simple":
            filters.append(envelope * np.cos(carrier + phase))
            simple += 1
        else:
            filters.append(envelope * np.cos(carrier + phase))
            quadrature.append(envelope * np.cos(carrier + phase + math.pi / 2))
            complex_ += 1
    bank = torch.from_numpy(np.stack(filters + quadrature).reshape(len(filters) + len(quadrature), -1).astype(np.float32)).to(DEVICE)
    rates = []
    generator = torch.Generator(device=DEVICE).manual_seed(1)
    for first in range(0, len(files), 100):
        grey = []
        for name in files[first:first + 100]:
            image = np.asarray(Image.open(os.path.join(folder, name)).convert("RGB"), dtype=np.float32) / 255.0
            assert image.shape[:2] == (size, size), (name, image.shape)
            grey.append(image.mean(axis=2).reshape(-1) - 0.5)
        linear = torch.from_numpy(np.stack(grey)).to(DEVICE) @ bank.T
        simple_rates = torch.relu(linear[:, :simple])
        pair = linear[:, simple:]
        complex_rates = torch.sqrt(pair[:, :complex_] ** 2 + pair[:, complex_:] ** 2)
        expected = 0.5 + 20.0 * torch.cat([simple_rates, complex_rates], dim=1)
        torch.poisson(expected.unsqueeze(2).expand(-1, -1, repeats).contiguous(), generator=generator)
        rates.append(expected)
    np.save(rates_out, torch.cat(rates).cpu().numpy())
    print(f"{time.perf_counter() - start:.3f} {len(files)}")


def tuning(model_path, layers, threads=2, batch=50):
    torch.set_num_threads(threads)
    start = time.perf_counter()
    wanted = layers.split(",")
    model = torch.jit.load(model_path, map_location=DEVICE).eval()
    size, sigma = 224, 35.0
    orientations = np.linspace(0.0, 172.5, 10)
    phases = np.linspace(0.0, 324.0, 10)
    frequencies = [2.5, 3.5, 5, 7.1, 10, 14.1, 20, 28.3, 40, 56]
    coordinates = np.arange(size) - (size - 1) / 2
    x = torch.tensor(np.tile(coordinates, (size, 1)), dtype=torch.float64, device=DEVICE)
    y = -x.T
    mean = torch.tensor([0.485, 0.456, 0.406], device=DEVICE).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], device=DEVICE).view(1, 3, 1, 1)
    stimuli = [(f, o, p) for f in frequencies for o in orientations for p in phases]
    centre = {}
    with torch.no_grad():
        for first in range(0, len(stimuli), batch):
            images = []
            for f, o, p in stimuli[first:first + batch]:
                theta = math.radians(o)
                xr = x * math.cos(theta) + y * math.sin(theta)
                yr = -x * math.sin(theta) + y * math.cos(theta)
                g = torch.exp(-(xr ** 2 + yr ** 2) / (2 * sigma ** 2)) * torch.cos(2 * math.pi * xr * f / size + math.radians(p))
                images.append((0.5 + 0.5 * g).float())
            activation = (torch.stack(images).unsqueeze(1).expand(-1, 3, -1, -1) - mean) / std
            for name, module in model.features.named_children():
                activation = module(activation)
                if "features." + name in wanted:
                    h, w = activation.shape[2], activation.shape[3]
                    centre.setdefault(name, []).append(activation[:, :, h // 2, w // 2].cpu())
    print(f"{time.perf_counter() - start:.3f} {len(stimuli)}")


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 20, 5)
        self.conv2 = torch.nn.Conv2d(20, 50, 5)
        self.fc1 = torch.nn.Linear(800, 500)
        self.fc2 = torch.nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


def noise(images, threads=2, chunk=1000):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = SmallCnn().eval().to(DEVICE)
    start = time.perf_counter()
    sums = torch.zeros(10, 28 * 28, dtype=torch.float64, device=DEVICE)
    counts = torch.zeros(10, dtype=torch.int64, device=DEVICE)
    with torch.no_grad():
        for first in range(0, images, chunk):
            generator = torch.Generator(device=DEVICE).manual_seed(first)
            batch = torch.rand(min(chunk, images - first), 1, 28, 28, generator=generator, device=DEVICE)
            predicted = model(batch).argmax(1)
            sums.index_add_(0, predicted, batch.flatten(1).double())
            counts += torch.bincount(predicted, minlength=10)
    counts.cpu()  # waits for the device
    print(f"{time.perf_counter() - start:.3f} {images}")


if __name__ == "__main__":
    mode, arguments = sys.argv[1], sys.argv[2:]
    if mode == "v1":
        v1(arguments[0], arguments[1], arguments[2], *map(int, arguments[3:]))
    elif mode == "tuning":
        tuning(arguments[0], arguments[1], *map(int, arguments[2:]))
    elif mode == "noise":
        noise(int(arguments[0]), *map(int, arguments[1:]))
    else:
        sys.exit("usage: v1_analyses_reference.py v1|tuning|noise ...")
