"""The work that tests/bench/pgd_attack_main.cpp times, in python3-torch: untargeted L-inf PGD (10 steps,
eps 2/255, step 2 * eps / steps, no random start, cross-entropy summed over the batch) on the images of a
folder (PIL: shorter side 256 (bilinear), centre crop 224, [0, 1] pixels), with a TorchScript ImageNet
model that gets (pixels - mean) / std; the labels are the model's clean predictions. Timed: the PGD steps,
then the probabilities of the adversarial images and the norms of the perturbations (as cnn::pgd_attack
returns them); not timed: imports, decoding, loading, one warm-up forward pass. Prints
"<seconds> <images> <successes>".

Usage: pgd_attack_reference.py MODEL IMAGE_FOLDER [threads (2)] [batch (40)] [images (0: all)]
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

MEAN = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float32).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float32).view(1, 3, 1, 1)


def pixels(path, resize=256, crop=224):
    image = Image.open(path).convert("RGB")
    width, height = image.size
    short, long = min(width, height), max(width, height)
    new_long = int(resize * long / short)
    size = (new_long, resize) if width >= height else (resize, new_long)
    if size != image.size:
        image = image.resize(size, Image.BILINEAR)
    width, height = image.size
    top, left = int(round((height - crop) / 2.0)), int(round((width - crop) / 2.0))
    image = image.crop((left, top, left + crop, top + crop))
    return torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).permute(2, 0, 1).float().div(255)


def pgd_linf(logits, x0, labels, eps, steps):
    alpha = 2 * eps / steps
    x = x0.clone()
    for _ in range(steps):
        x.requires_grad_(True)
        loss = F.cross_entropy(logits(x), labels, reduction="sum")
        (gradient,) = torch.autograd.grad(loss, x)
        with torch.no_grad():
            x = (x0 + (x.detach() + alpha * gradient.sign() - x0).clamp(-eps, eps)).clamp(0, 1)
    return x.detach()


def main():
    model_path, folder = sys.argv[1:3]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    torch.set_num_threads(threads)
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    files = files[:limit] if limit > 0 else files
    images = torch.stack([pixels(os.path.join(folder, f)) for f in files])
    model = torch.jit.load(model_path).eval()

    def logits(x):
        return model((x - MEAN) / STD).flatten(1)

    with torch.no_grad():
        labels = torch.cat([logits(images[i:i + batch]).argmax(1) for i in range(0, len(images), batch)])  # also the warm-up
    start = time.perf_counter()
    successes = 0
    for first in range(0, len(images), batch):
        x0 = images[first:first + batch]
        y = labels[first:first + batch]
        adversarial = pgd_linf(logits, x0, y, 2 / 255, 10)
        with torch.no_grad():
            probabilities = torch.softmax(logits(adversarial), 1)
            delta = (adversarial.double() - x0.double()).flatten(1)
            norms = (delta.abs().amax(1), delta.norm(dim=1), delta.abs().sum(1))
        successes += int((probabilities.argmax(1) != y).sum())
    seconds = time.perf_counter() - start
    print(f"{seconds:.4f} {len(images)} {successes}")


if __name__ == "__main__":
    main()
