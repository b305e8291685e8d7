#include "cnn/hybrid_images.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "cnn/fourier_filters.hpp"
#include "cnn/seed_streams.hpp"

namespace visalign::cnn {

namespace {

std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

/// Hybrids of spectra[low] and spectra[high] (one per pair): coefficient by coefficient the low source's
/// where keep_low, the high source's elsewhere, transformed back.
ImageBatch combine(const ImageSpectra& low_spectra, const ImageSpectra& high_spectra, const std::vector<HybridPair>& pairs,
                   const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>& keep_low) {
  ImageSpectra hybrid;
  hybrid.count = static_cast<std::int64_t>(pairs.size());
  hybrid.channels = low_spectra.channels;
  hybrid.height = low_spectra.height;
  hybrid.width = low_spectra.width;
  const std::int64_t plane = hybrid.height * hybrid.width;
  const std::int64_t image_size = hybrid.channels * plane;
  hybrid.values.resize(static_cast<std::size_t>(hybrid.count * image_size));
  for (std::size_t n = 0; n < pairs.size(); ++n) {
    const auto* low = low_spectra.values.data() + pairs[n].low_image * image_size;
    const auto* high = high_spectra.values.data() + pairs[n].high_image * image_size;
    auto* out = hybrid.values.data() + static_cast<std::int64_t>(n) * image_size;
    for (std::int64_t c = 0; c < hybrid.channels; ++c) {
      for (std::int64_t i = 0; i < plane; ++i) {
        const std::int64_t at = c * plane + i;
        out[at] = keep_low(i / hybrid.width, i % hybrid.width) ? low[at] : high[at];
      }
    }
  }
  return inverse_fourier_transform(hybrid);
}

Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> low_mask(std::int64_t height, std::int64_t width, double mixing_frequency) {
  return normalised_frequency_radius(height, width) <= mixing_frequency;
}

}  // namespace

ImageBatch hybrid_images(const ImageBatch& low_source, const ImageBatch& high_source, double mixing_frequency) {
  require_normalised_frequency(mixing_frequency, "hybrid_images mixing frequency");
  if (low_source.count != high_source.count || low_source.channels != high_source.channels || low_source.height != high_source.height ||
      low_source.width != high_source.width) {
    std::ostringstream message;
    message << "hybrid_images: the low- and high-frequency sources must have the same shape, found " << low_source.count << " x "
            << low_source.channels << " x " << low_source.height << " x " << low_source.width << " and " << high_source.count << " x "
            << high_source.channels << " x " << high_source.height << " x " << high_source.width;
    throw std::invalid_argument(message.str());
  }
  std::vector<HybridPair> pairs;
  for (std::int64_t i = 0; i < low_source.count; ++i) pairs.push_back({i, i});
  return combine(fourier_transform(low_source), fourier_transform(high_source), pairs,
                 low_mask(low_source.height, low_source.width, mixing_frequency));
}

std::vector<HybridPair> draw_hybrid_pairs(const std::vector<std::int64_t>& labels, int pairs_per_image, std::uint64_t seed) {
  if (pairs_per_image < 1) throw std::invalid_argument("draw_hybrid_pairs: expected pairs_per_image >= 1, found " + std::to_string(pairs_per_image));
  // The images of the other classes, in set order, per class.
  std::map<std::int64_t, std::vector<std::int64_t>> others_of;
  for (const std::int64_t label : labels) {
    if (others_of.count(label) != 0) continue;
    std::vector<std::int64_t>& others = others_of[label];
    for (std::size_t j = 0; j < labels.size(); ++j) {
      if (labels[j] != label) others.push_back(static_cast<std::int64_t>(j));
    }
  }
  std::vector<HybridPair> pairs;
  pairs.reserve(labels.size() * static_cast<std::size_t>(pairs_per_image));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::vector<std::int64_t>& others = others_of[labels[i]];
    if (others.empty()) {
      throw std::invalid_argument("draw_hybrid_pairs: hybrid images need images of at least two classes; all " + std::to_string(labels.size()) +
                                  " images are of class " + std::to_string(labels[i]));
    }
    std::mt19937_64 generator(detail::mix_seed(detail::mix_seed(seed) + i));  // a stream per (seed, image)
    for (int k = 0; k < pairs_per_image; ++k) {
      // Uniform over the others: index floor(u * size), u in [0, 1) from 53 random bits (no implementation-defined
      // distribution, so the same pairs with any standard library).
      const double u = static_cast<double>(generator() >> 11) * 0x1.0p-53;
      const auto r = std::min(others.size() - 1, static_cast<std::size_t>(u * static_cast<double>(others.size())));
      pairs.push_back({static_cast<std::int64_t>(i), others[r]});
    }
  }
  return pairs;
}

ReversalFrequency reversal_frequency(const std::vector<double>& mixing_frequencies, const std::vector<double>& differences) {
  if (mixing_frequencies.size() != differences.size() || mixing_frequencies.size() < 2) {
    throw std::invalid_argument("reversal_frequency: expected at least 2 mixing frequencies and as many differences, found " +
                                std::to_string(mixing_frequencies.size()) + " and " + std::to_string(differences.size()));
  }
  for (std::size_t i = 0; i < differences.size(); ++i) {
    if (std::isnan(differences[i]) || std::isnan(mixing_frequencies[i])) {
      throw std::invalid_argument("reversal_frequency: NaN at point " + std::to_string(i));
    }
    if (i > 0 && !(mixing_frequencies[i] > mixing_frequencies[i - 1])) {
      throw std::invalid_argument("reversal_frequency: the mixing frequencies must increase, found " + number_text(mixing_frequencies[i - 1]) +
                                  " then " + number_text(mixing_frequencies[i]));
    }
  }
  ReversalFrequency reversal;
  reversal.frequency = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 1; i < differences.size(); ++i) {
    if ((differences[i - 1] < 0) != (differences[i] < 0)) ++reversal.crossings;
  }
  for (std::size_t i = 1; i < differences.size(); ++i) {
    if (differences[i - 1] < 0 && differences[i] >= 0) {
      const double t = -differences[i - 1] / (differences[i] - differences[i - 1]);
      reversal.frequency = mixing_frequencies[i - 1] + t * (mixing_frequencies[i] - mixing_frequencies[i - 1]);
      reversal.status = "crossed";
      return reversal;
    }
  }
  const std::string range = "(f_mix " + number_text(mixing_frequencies.front()) + " to " + number_text(mixing_frequencies.back()) + ")";
  const bool all_negative = std::all_of(differences.begin(), differences.end(), [](double d) { return d < 0; });
  const bool all_non_negative = std::all_of(differences.begin(), differences.end(), [](double d) { return d >= 0; });
  if (all_negative) {
    reversal.status = "p_low - p_high < 0 at every mixing frequency " + range + ": the high-frequency image wins everywhere";
  } else if (all_non_negative) {
    reversal.status = "p_low - p_high >= 0 at every mixing frequency " + range + ": the low-frequency image wins everywhere";
  } else {
    reversal.status = "p_low - p_high falls from >= 0 to < 0 " + range + " but never rises through zero";
  }
  return reversal;
}

HybridCurve hybrid_image_curve(const Classifier& classifier, const ImageBatch& images, const std::vector<std::int64_t>& labels,
                               const std::vector<HybridPair>& pairs, const std::vector<double>& mixing_frequencies, int batch_size,
                               const std::function<void(std::size_t, std::size_t)>& progress) {
  if (pairs.empty()) throw std::invalid_argument("hybrid_image_curve: no image pairs");
  if (batch_size < 1) throw std::invalid_argument("hybrid_image_curve: expected batch_size >= 1, found " + std::to_string(batch_size));
  if (mixing_frequencies.empty()) throw std::invalid_argument("hybrid_image_curve: no mixing frequencies");
  if (labels.size() != static_cast<std::size_t>(images.count)) {
    throw std::invalid_argument("hybrid_image_curve: " + std::to_string(labels.size()) + " labels for " + std::to_string(images.count) + " images");
  }
  for (const double f : mixing_frequencies) require_normalised_frequency(f, "hybrid_image_curve mixing frequency");
  for (const HybridPair& pair : pairs) {
    if (pair.low_image < 0 || pair.low_image >= images.count || pair.high_image < 0 || pair.high_image >= images.count) {
      throw std::invalid_argument("hybrid_image_curve: pair (" + std::to_string(pair.low_image) + ", " + std::to_string(pair.high_image) +
                                  ") outside the " + std::to_string(images.count) + " images");
    }
    if (labels[static_cast<std::size_t>(pair.low_image)] == labels[static_cast<std::size_t>(pair.high_image)]) {
      throw std::invalid_argument("hybrid_image_curve: images " + std::to_string(pair.low_image) + " and " + std::to_string(pair.high_image) +
                                  " are both of class " + std::to_string(labels[static_cast<std::size_t>(pair.low_image)]) +
                                  "; a hybrid needs images of different classes");
    }
  }
  const ImageSpectra spectra = fourier_transform(images);
  HybridCurve curve;
  curve.pairs = static_cast<std::int64_t>(pairs.size());
  const std::size_t total = pairs.size() * mixing_frequencies.size();
  std::size_t done = 0;
  for (const double f : mixing_frequencies) {
    const auto keep_low = low_mask(images.height, images.width, f);
    double sum_low = 0, sum_high = 0, sum_difference = 0, sum_squares = 0, low_chosen = 0, high_chosen = 0;
    for (std::size_t start = 0; start < pairs.size(); start += static_cast<std::size_t>(batch_size)) {
      const std::vector<HybridPair> chunk(pairs.begin() + static_cast<std::ptrdiff_t>(start),
                                          pairs.begin() + static_cast<std::ptrdiff_t>(std::min(pairs.size(), start + static_cast<std::size_t>(batch_size))));
      const Eigen::MatrixXf probabilities = classifier.probabilities(combine(spectra, spectra, chunk, keep_low), batch_size);
      const std::vector<std::int64_t> predicted = predicted_classes(probabilities);
      for (std::size_t n = 0; n < chunk.size(); ++n) {
        const std::int64_t low_class = labels[static_cast<std::size_t>(chunk[n].low_image)];
        const std::int64_t high_class = labels[static_cast<std::size_t>(chunk[n].high_image)];
        if (low_class < 0 || high_class < 0 || low_class >= probabilities.cols() || high_class >= probabilities.cols()) {
          throw std::invalid_argument("hybrid_image_curve: class " + std::to_string(std::max(low_class, high_class)) + " outside the classifier's " +
                                      std::to_string(probabilities.cols()) + " classes");
        }
        const double p_low = probabilities(static_cast<Eigen::Index>(n), low_class);
        const double p_high = probabilities(static_cast<Eigen::Index>(n), high_class);
        sum_low += p_low;
        sum_high += p_high;
        sum_difference += p_low - p_high;
        sum_squares += (p_low - p_high) * (p_low - p_high);
        low_chosen += predicted[n] == low_class ? 1 : 0;
        high_chosen += predicted[n] == high_class ? 1 : 0;
      }
      done += chunk.size();
      if (progress) progress(done, total);
    }
    const double n = static_cast<double>(pairs.size());
    HybridCurvePoint point;
    point.mixing_frequency = f;
    point.p_low = sum_low / n;
    point.p_high = sum_high / n;
    point.difference = sum_difference / n;
    const double variance = n > 1 ? std::max(0.0, (sum_squares - n * point.difference * point.difference) / (n - 1)) : 0.0;
    point.difference_sem = n > 1 ? std::sqrt(variance / n) : std::numeric_limits<double>::quiet_NaN();
    point.low_chosen = low_chosen / n;
    point.high_chosen = high_chosen / n;
    curve.points.push_back(point);
  }
  const bool increasing = std::is_sorted(mixing_frequencies.begin(), mixing_frequencies.end()) &&
                          std::adjacent_find(mixing_frequencies.begin(), mixing_frequencies.end()) == mixing_frequencies.end();
  if (increasing && mixing_frequencies.size() >= 2) {
    std::vector<double> differences;
    for (const HybridCurvePoint& point : curve.points) differences.push_back(point.difference);
    curve.reversal = reversal_frequency(mixing_frequencies, differences);
  } else {
    curve.reversal.frequency = std::numeric_limits<double>::quiet_NaN();
    curve.reversal.status = "no reversal frequency: it needs at least 2 mixing frequencies in increasing order";
  }
  return curve;
}

}  // namespace visalign::cnn
