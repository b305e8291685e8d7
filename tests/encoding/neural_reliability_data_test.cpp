// Split-half reliability of real recordings from ../shared/data/neural (see its README):
//  - macaque V1 spike counts (Henaff et al. 2021), 50 repeats x 37 units x 484 movie frames;
//  - Allen Brain Observatory mouse V1 (212 neurons): Allen_test_output_big.npy (900 x 212), which the
//    data README describes as "18 images x 50 repeats". This test checks that description against
//    Allen_test_output.npy and Allen_train_output.npy and finds it does not hold: grouping the 900
//    rows image-major (rows 50i..50i+49) or repeat-major (rows 18r+i) reproduces neither file's
//    rows, shows no stimulus structure at all (split-half reliability about 0 under both groupings),
//    and 15 of its rows are bit-identical to rows of the "averaged" files. This is what the upstream
//    script (psailamul/Allen_Brain_Observatory, np.random.seed(31); the big test set is rows
//    permutation(5900)[5000:] of all 5900 single trials in presentation order) produces: the 900
//    rows are single trials of mixed, unlabelled images, and the "averaged" rows are single trials
//    too. The reliability figures printed for the Allen file are therefore a null check, not the
//    neurons' reliabilities.
// The encoding module reads no files, so the test has its own minimal NPY reader (float32/float64,
// little-endian, C or Fortran order).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "encoding/split_half_reliability.hpp"
#include "tests/test_data.hpp"

namespace visalign::encoding {
namespace {

/// An NPY array: shape and values in C (row-major) order.
struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<double> values;
};

NpyArray read_npy(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  char preamble[10];
  if (!stream.read(preamble, 10) || std::memcmp(preamble, "\x93NUMPY", 6) != 0) {
    throw std::runtime_error("not an NPY file: " + path.string());
  }
  std::size_t header_length = static_cast<unsigned char>(preamble[8]) | (static_cast<unsigned char>(preamble[9]) << 8);
  if (preamble[6] != 1) {  // versions 2 and 3: a 4-byte header length
    char more[2];
    stream.read(more, 2);
    header_length |= (static_cast<std::size_t>(static_cast<unsigned char>(more[0])) << 16) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(more[1])) << 24);
  }
  std::string header(header_length, '\0');
  stream.read(header.data(), static_cast<std::streamsize>(header_length));
  const bool is_float32 = header.find("'<f4'") != std::string::npos;
  if (!is_float32 && header.find("'<f8'") == std::string::npos) throw std::runtime_error("expected <f4 or <f8: " + header);
  const bool fortran_order = header.find("'fortran_order': True") != std::string::npos;
  NpyArray array;
  std::size_t position = header.find('(', header.find("'shape'")) + 1;
  const std::size_t end = header.find(')', position);
  while (position < end) {
    const std::size_t comma = std::min(header.find(',', position), end);
    if (comma > position) array.shape.push_back(std::stoll(header.substr(position, comma - position)));
    position = comma + 1;
  }
  std::size_t count = 1;
  for (const std::int64_t extent : array.shape) count *= static_cast<std::size_t>(extent);
  std::vector<double> stored(count);
  if (is_float32) {
    std::vector<float> raw(count);
    stream.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(count * sizeof(float)));
    std::copy(raw.begin(), raw.end(), stored.begin());
  } else {
    stream.read(reinterpret_cast<char*>(stored.data()), static_cast<std::streamsize>(count * sizeof(double)));
  }
  if (!stream) throw std::runtime_error("truncated NPY file: " + path.string());
  if (!fortran_order) {
    array.values = std::move(stored);
    return array;
  }
  // Fortran order: the first index varies fastest. Walk the C-order index and map it.
  array.values.resize(count);
  std::vector<std::int64_t> index(array.shape.size(), 0);
  for (std::size_t c = 0; c < count; ++c) {
    std::size_t f = 0, stride = 1;
    for (std::size_t axis = 0; axis < array.shape.size(); ++axis) {
      f += static_cast<std::size_t>(index[axis]) * stride;
      stride *= static_cast<std::size_t>(array.shape[axis]);
    }
    array.values[c] = stored[f];
    for (std::size_t axis = array.shape.size(); axis-- > 0;) {
      if (++index[axis] < array.shape[axis]) break;
      index[axis] = 0;
    }
  }
  return array;
}

Eigen::MatrixXd as_matrix(const NpyArray& array) {
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      array.values.data(), array.shape.at(0), array.shape.at(1));
}

void print_summary(const std::string& name, const SplitHalfReliability& reliability) {
  const Eigen::VectorXd& values = reliability.spearman_brown;
  int above_half = 0, defined = 0;
  double minimum = std::numeric_limits<double>::infinity(), maximum = -minimum;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    if (std::isnan(values(i))) continue;
    ++defined;
    above_half += values(i) > 0.5 ? 1 : 0;
    minimum = std::min(minimum, values(i));
    maximum = std::max(maximum, values(i));
  }
  std::cout << "[ figures  ] " << name << ": Spearman-Brown reliability of " << defined << "/" << values.size()
            << " defined neurons: min " << std::setprecision(4) << minimum << ", median " << median_of_finite(values)
            << ", max " << maximum << "; " << above_half << " > 0.5\n";
}

TEST(NeuralReliabilityData, MacaqueV1SpikeCounts) {
  const std::filesystem::path path = visalign::testing::shared_data("neural/macaque_v1_spikes/spike_counts_rep_unit_stim.npy");
  VISALIGN_REQUIRE_FILE(path);
  const NpyArray spikes = read_npy(path);  // repeats x units x frames, stored in Fortran order
  ASSERT_EQ(spikes.shape, (std::vector<std::int64_t>{50, 37, 484}));
  const Eigen::Index units = 37, frames = 484;
  std::vector<Eigen::MatrixXd> repeats;
  for (Eigen::Index repeat = 0; repeat < 50; ++repeat) {
    Eigen::MatrixXd responses(frames, units);  // stimuli x neurons
    for (Eigen::Index unit = 0; unit < units; ++unit) {
      for (Eigen::Index frame = 0; frame < frames; ++frame) {
        responses(frame, unit) = spikes.values[static_cast<std::size_t>((repeat * units + unit) * frames + frame)];
      }
    }
    repeats.push_back(std::move(responses));
  }
  // Against numpy: total 1697317, repeat 5 40065, unit 0 25867, frame 17 1449, [12, 30, 400] = 4.
  double total = 0, repeat_five = 0, unit_zero = 0, frame_seventeen = 0;
  for (std::size_t r = 0; r < repeats.size(); ++r) {
    total += repeats[r].sum();
    unit_zero += repeats[r].col(0).sum();
    frame_seventeen += repeats[r].row(17).sum();
  }
  repeat_five = repeats[5].sum();
  EXPECT_EQ(total, 1697317.0);
  EXPECT_EQ(repeat_five, 40065.0);
  EXPECT_EQ(unit_zero, 25867.0);
  EXPECT_EQ(frame_seventeen, 1449.0);
  EXPECT_EQ(repeats[12](400, 30), 4.0);
  SplitHalfOptions options;
  options.splits = 10;
  options.seed = 0;
  const SplitHalfReliability reliability = split_half_reliability(repeats, options);
  print_summary("macaque V1, 37 units x 484 frames x 50 repeats", reliability);
  for (const std::string& reason : reliability.undefined_reason) EXPECT_EQ(reason, "");
  // numpy with 10 other random splits: min 0.477, median 0.880, max 0.975, 36 of 37 > 0.5.
  EXPECT_NEAR(median_of_finite(reliability.spearman_brown), 0.88, 0.02);
  EXPECT_GT(reliability.spearman_brown.minCoeff(), 0.4);
  EXPECT_LT(reliability.spearman_brown.maxCoeff(), 1.0);
}

TEST(NeuralReliabilityData, AllenMouseV1BigFileIsNotImagesTimesRepeats) {
  const std::filesystem::path big_path = visalign::testing::shared_data("neural/mouse_v1_allen/Allen_test_output_big.npy");
  const std::filesystem::path mean_path = visalign::testing::shared_data("neural/mouse_v1_allen/Allen_test_output.npy");
  const std::filesystem::path train_path = visalign::testing::shared_data("neural/mouse_v1_allen/Allen_train_output.npy");
  VISALIGN_REQUIRE_FILE(big_path);
  VISALIGN_REQUIRE_FILE(mean_path);
  VISALIGN_REQUIRE_FILE(train_path);
  const Eigen::MatrixXd big = as_matrix(read_npy(big_path));        // 900 x 212
  const Eigen::MatrixXd averaged = as_matrix(read_npy(mean_path));  // 18 x 212
  const Eigen::MatrixXd train = as_matrix(read_npy(train_path));    // 100 x 212
  ASSERT_EQ(big.rows(), 900);
  ASSERT_EQ(big.cols(), 212);
  ASSERT_EQ(averaged.rows(), 18);
  ASSERT_EQ(averaged.cols(), 212);
  const Eigen::Index images = 18, repeat_count = 50, neurons = 212;

  // The two candidate row orders, as repeats (each images x neurons).
  std::vector<Eigen::MatrixXd> image_major(repeat_count, Eigen::MatrixXd(images, neurons));
  std::vector<Eigen::MatrixXd> repeat_major(repeat_count, Eigen::MatrixXd(images, neurons));
  for (Eigen::Index repeat = 0; repeat < repeat_count; ++repeat) {
    for (Eigen::Index image = 0; image < images; ++image) {
      image_major[static_cast<std::size_t>(repeat)].row(image) = big.row(image * repeat_count + repeat);
      repeat_major[static_cast<std::size_t>(repeat)].row(image) = big.row(repeat * images + image);
    }
  }
  const auto mean_of = [&](const std::vector<Eigen::MatrixXd>& repeats) {
    Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(images, neurons);
    for (const Eigen::MatrixXd& repeat : repeats) mean += repeat / static_cast<double>(repeat_count);
    return mean;
  };
  const double image_major_difference = (mean_of(image_major) - averaged).cwiseAbs().maxCoeff();
  const double repeat_major_difference = (mean_of(repeat_major) - averaged).cwiseAbs().maxCoeff();
  std::cout << "[ figures  ] Allen_test_output_big vs Allen_test_output (values up to " << averaged.cwiseAbs().maxCoeff()
            << "): largest difference of the means, image-major rows " << image_major_difference << ", repeat-major rows "
            << repeat_major_difference << "\n";
  // Neither order reproduces the averaged file (a match would be ~1e-5, float32 rounding).
  EXPECT_GT(image_major_difference, 100.0);
  EXPECT_GT(repeat_major_difference, 100.0);

  // Rows of the big file that are bit-identical to rows of the "averaged" files: single trials in both.
  int identical = 0;
  for (Eigen::Index row = 0; row < big.rows(); ++row) {
    for (Eigen::Index other = 0; other < train.rows(); ++other) identical += big.row(row) == train.row(other) ? 1 : 0;
    for (Eigen::Index other = 0; other < averaged.rows(); ++other) identical += big.row(row) == averaged.row(other) ? 1 : 0;
  }
  std::cout << "[ figures  ] rows of Allen_test_output_big identical to rows of Allen_{train,test}_output: " << identical
            << " (e.g. big row 24 = test row 13, big row 871 = train row 2)\n";
  EXPECT_EQ(identical, 15);
  EXPECT_TRUE(big.row(24) == averaged.row(13));
  EXPECT_TRUE(big.row(871) == train.row(2));

  // Split-half reliability under either grouping: no stimulus structure.
  SplitHalfOptions options;
  options.splits = 10;
  options.seed = 0;
  const SplitHalfReliability image_major_reliability = split_half_reliability(image_major, options);
  const SplitHalfReliability repeat_major_reliability = split_half_reliability(repeat_major, options);
  print_summary("Allen big, read image-major (18 x 50)", image_major_reliability);
  print_summary("Allen big, read repeat-major (50 x 18)", repeat_major_reliability);
  EXPECT_LT(std::abs(median_of_finite(image_major_reliability.spearman_brown)), 0.1);
  EXPECT_LT(std::abs(median_of_finite(repeat_major_reliability.spearman_brown)), 0.1);
}

}  // namespace
}  // namespace visalign::encoding
