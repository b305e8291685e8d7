// What `visalign --help` says of the cnn commands. The commands themselves run in the visalign-cnn
// program (they link LibTorch); visalign lists them and hands their arguments over.

#include "apps/commands.hpp"

namespace visalign::apps {

CommandInfo cnn_layers_info() {
  return {"cnn", "layers", "the layers of a model (TorchScript or a 'cnn train' network), with their output shapes",
       "Loads a TorchScript model (or, with --network, a checkpoint of 'cnn train') and lists the layers whose\n"
       "activations 'cnn activations' can extract: for TorchScript the children of its top-level sequential\n"
       "containers in order (torchvision's features.N, classifier.N, ...) and the model's output, for a network\n"
       "its named stages (front_end, conv1, relu1, ...), with each one's output shape for one input image."};
}

CommandInfo cnn_activations_info() {
  return {"cnn", "activations", "layer activations of a model to images, as NPY files + a layer list",
       "Reads the images as the model takes them (shorter side resized, centre crop to the model's input, grey for\n"
       "a one-channel model; a TorchScript model normalises [0, 1] pixels by --mean/--std, a network of 'cnn train'\n"
       "by its own settings), runs the model in batches and writes one NPY per requested layer (float32, images x\n"
       "units, C order), images.tsv (the images in row order) and layers.json, the layer list that 'rsa layers'\n"
       "and 'encoding fit' read."};
}

CommandInfo cnn_adversarial_info() {
  return {"cnn", "adversarial", "the study's AN and AI images for a set of RE images, with their probabilities",
       "For every RE image an AN image (adversarial noise: grown from the mean image of the set by gradient ascent\n"
       "until the classifier gives the RE image's class with p >= 0.99) and an AI image (adversarial interference:\n"
       "the RE image moved to a target class with p >= 0.99 by a small perturbation). The stopping rule is tested\n"
       "on the 8-bit image as saved. Writes the PNGs, stimuli.tsv (class, probabilities, prediction, iterations,\n"
       "L2 and L-inf distance; readable by 'cnn activations --images') and overview.png (RE | AN | AI side by side)."};
}

CommandInfo cnn_attack_info() {
  return {"cnn", "attack", "PGD robustness: adversarial accuracy over epsilons, minimal perturbations, adversarial images",
       "Projected gradient descent (Madry et al.) in [0, 1] pixel space with an L-inf, L2 or L1 bound (L1: the exact\n"
       "projection onto the L1 ball), untargeted or toward one class. Writes robustness.tsv (accuracy per epsilon),\n"
       "with --minimal each image's smallest successful epsilon (bisection), and with --save-epsilon the adversarial\n"
       "images (8-bit PNGs: rounding may undo the smallest perturbations) and attack.tsv."};
}

CommandInfo cnn_train_info() {
  return {"cnn", "train", "train a built-in network on Fashion-MNIST (standard or PGD adversarial training)",
       "Builds the small CNN of seed 002, or AlexNet / ResNet-18 in torchvision's layouts, optionally behind a fixed\n"
       "front end (Gaussian blur, or projection on the first K principal components of the training images), and\n"
       "trains it on Fashion-MNIST (Adam or SGD; with --adversarial-epsilon on PGD adversarial examples). Writes the\n"
       "checkpoint network.pt after every epoch (for 'cnn attack --network', 'cnn adversarial --network') and\n"
       "training.tsv (loss, training and test accuracy, seconds per epoch)."};
}

CommandInfo cnn_eigenspectra_info() {
  return {"cnn", "eigenspectra", "PCA eigenspectra of a model's layers to natural images and their power-law exponent alpha",
       "Runs natural images (at least --fit-last of them) through the model, takes each layer's PCA eigenvalues\n"
       "(via the centred Gram matrix, in double) and fits alpha = minus the slope of log eigenvalue against log index\n"
       "over --fit-first..--fit-last (seed 001; Stringer et al. 2019 report alpha ~ 1 for V1). Writes summary.tsv,\n"
       "one spectrum table per layer and eigenspectra.svg (log-log)."};
}

CommandInfo cnn_tuning_info() {
  return {"cnn", "tuning", "in-silico electrophysiology: spatial-frequency tuning of layers and their V1 score (De Valois)",
       "Presents Gabor patches (METHODS: 224 px = 6.4 degrees, sigma 35 px, 10 orientations x 10 phases x 10 frequencies\n"
       "2.5..56 cycles/image; scaled to the model's input size at the same pixels per degree) and takes the centre unit\n"
       "of every channel of each layer: its spatial-frequency tuning curve (mean over orientations and phases), its\n"
       "preferred frequency and orientation (units with a flat curve are dropped). Scores the layer's preferred-frequency\n"
       "histogram against foveal macaque V1 (De Valois et al. 1982; 1 - max |CDF difference|) over --samples experiments\n"
       "of --units units drawn with replacement. Writes <layer>.tuning.tsv, <layer>.sf_histogram.svg, summary.tsv,\n"
       "stimuli.tsv and stimuli.png. --v1-simulator records the V1 simulator's neurons instead of a model's layers and\n"
       "reports how well their drawn preferred frequencies are recovered."};
}

CommandInfo cnn_frequency_info() {
  return {"cnn", "frequency", "spatial-frequency reliance: hybrid images (f_rev) and minimal perturbation spectra (f_0.5)",
       "Hybrid images (seed 003): the Fourier coefficients of an image up to a mixing frequency f_mix (normalised to\n"
       "Nyquist; corners up to sqrt 2) plus those of an image of another class above it; p_low - p_high over f_mix and\n"
       "the reversal frequency f_rev where it crosses zero (lower: more reliance on low frequencies). Minimal\n"
       "adversarial perturbations (PGD, smallest epsilon per image by bisection): their mean radial Fourier power and\n"
       "the half-power frequency f_0.5, beside the clean images'. Writes hybrid.tsv, perturbation_spectrum.tsv,\n"
       "summary.tsv, hybrid_curve.svg, perturbation_spectrum.svg and hybrids.png."};
}

CommandInfo cnn_v1_simulate_info() {
  return {"cnn", "v1-simulate", "spike counts of a simulated V1 population (Gabor simple and complex cells) to images",
       "A VOneNet-style bank of Gabor filters sees each image (grey: the mean of its channels, contrast about 0.5):\n"
       "simple cells half-rectify their Gabor's response, complex cells take the energy of a quadrature pair.\n"
       "Preferred spatial frequencies follow De Valois et al. (1982) (foveal macaque V1), orientations and phases are\n"
       "uniform; --peak-rate is the expected count above --baseline-rate for an optimal full-contrast grating. Poisson\n"
       "counts with repeats are drawn from the expected counts (--seed). Writes spikes.npy (float32 stimuli x neurons x\n"
       "repeats: 'encoding eigenspectrum --responses spikes.npy --layout stimuli,neurons,repeats'), rates.npy,\n"
       "neurons.tsv (each cell's frequency, orientation, phase, envelope and position), images.tsv and\n"
       "receptive_fields.png (some of the Gabors)."};
}

CommandInfo cnn_white_noise_info() {
  return {"cnn", "white-noise", "white-noise analysis: classification images, template classifier, psychometric curve, STA",
       "Seed 002 (Borji & Lin): feeds many white-noise images (uniform in [0, 1], or clipped gaussian; optionally mixed with\n"
       "signal images as gamma * signal + (1 - gamma) * noise) to a classifier and averages the noise per predicted class\n"
       "(classification images: NPY and a PNG montage beside the class mean test images). Classifies the test images by the\n"
       "largest dot product with these maps (accuracy against chance, confusion matrix), measures the psychometric curve\n"
       "(accuracy on test images mixed with noise against gamma) and, with --sta-layer, the spike-triggered averages of a\n"
       "layer's units (response-weighted mean noise, and the reverse-correlation map)."};
}

CommandInfo cnn_predictivity_info() {
  return {"cnn", "predictivity", "V1 predictivity of a model's layers (or the V1 simulator) and the most V1-like layer",
       "Seed 001's V1 predictivity: each layer's features of the recorded stimuli are scored on the first --components\n"
       "principal axes of the same layer's features of separate natural images (--basis-images), then PLS with 25\n"
       "components (or ridge, penalty by leave-one-out) is fitted on 20 random 75/25 splits of the stimuli; per neuron the\n"
       "mean held-out Pearson r is divided by the square root of its Spearman-Brown split-half reliability (random halves of\n"
       "the repeats), and the median over neurons is the layer's score. --v1-simulator scores the V1 simulator's expected\n"
       "counts instead of a model. Writes summary.tsv, <layer>.neurons.tsv and predictivity.svg, and names the most\n"
       "V1-like layer (the highest median noise-corrected r)."};
}

CommandInfo cnn_compare_models_info() {
  return {"cnn", "compare-models", "seed 001's model comparison: accuracy, robustness, alpha, SF score, V1 predictivity, f_rev, f_0.5",
       "Runs the single analyses on every model of a table (name, TorchScript model or 'cnn train' network, its options):\n"
       "cnn predictivity (with --spikes, --stimuli, --basis-images), cnn attack (clean and PGD adversarial accuracy),\n"
       "cnn eigenspectra (alpha), cnn tuning (V1 spatial-frequency score) and cnn frequency (f_rev, f_0.5), each into\n"
       "<out>/<name>/<analysis>/ with its own tables and provenance. Every model, layer and input is checked before the\n"
       "first analysis. Writes comparison.tsv (one row per model, as seed 001's S1 Table; alpha and the SF score of the\n"
       "most V1-predictive layer, or of the first layer without predictivity) and one scatter plot per relation of seed 001's\n"
       "Figs 6-7 (adversarial accuracy against V1 predictivity, alpha and SF score; V1 predictivity against SF score) and\n"
       "of seed 003 (adversarial accuracy against f_rev and f_0.5), with points labelled by model."};
}

}  // namespace visalign::apps
