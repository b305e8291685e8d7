"""The same work as `visalign cnn activations MODEL --images DIR --layers output` in python3-torch:
decode every image (PIL), resize the shorter side to 256 (bilinear), centre-crop 224, normalise
with ImageNet's mean and std, run the TorchScript model in batches of 50 on 2 threads, save the
output as NPY. Prints the seconds taken (whole work, after imports) and the image count.

Usage: cnn_activations_reference.py MODEL IMAGE_FOLDER OUTPUT.npy [threads]
"""
import os
import sys
import time

import numpy as np
import torch
from PIL import Image


def preprocess(path):
    image = Image.open(path).convert("RGB")
    width, height = image.size
    scale = 256 / min(width, height)
    image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.BILINEAR)
    width, height = image.size
    left, top = (width - 224) // 2, (height - 224) // 2
    image = image.crop((left, top, left + 224, top + 224))
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = (array - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    return torch.from_numpy(array.transpose(2, 0, 1).copy())


def main():
    model_path, folder, output = sys.argv[1:4]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    start = time.perf_counter()
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    model = torch.jit.load(model_path).eval()
    outputs = []
    with torch.no_grad():
        for first in range(0, len(files), 50):
            batch = torch.stack([preprocess(os.path.join(folder, f)) for f in files[first:first + 50]])
            outputs.append(model(batch).flatten(1).numpy())
    np.save(output, np.concatenate(outputs).astype(np.float32))
    print(f"{time.perf_counter() - start:.3f} {len(files)}")


if __name__ == "__main__":
    main()
