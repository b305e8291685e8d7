#pragma once
// What the cnn test files share: the message of the exception a call throws, and the Fashion-MNIST
// requirement (Debian's dataset-fashion-mnist: skipped without it, a failure under CI).

#include <gtest/gtest.h>

#include <exception>
#include <filesystem>
#include <string>

#include "cnn/labelled_images.hpp"
#include "tests/test_data.hpp"

namespace visalign::cnn::testing {

/// The what() of the exception `function` throws, or "(no exception)".
template <typename Function>
std::string error_message(Function&& function) {
  try {
    function();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "(no exception)";
}

}  // namespace visalign::cnn::testing

/// Skips the test (fails it under CI) when Debian's Fashion-MNIST is not installed.
#define VISALIGN_REQUIRE_FASHION_MNIST()                                                                       \
  do {                                                                                                         \
    if (!std::filesystem::exists(::visalign::cnn::default_fashion_mnist_folder() / "t10k-images-idx3-ubyte.gz") || \
        !std::filesystem::exists(::visalign::cnn::default_fashion_mnist_folder() / "train-images-idx3-ubyte.gz")) { \
      if (::visalign::testing::running_under_ci()) {                                                           \
        FAIL() << "Fashion-MNIST missing under CI: " << ::visalign::cnn::default_fashion_mnist_folder();      \
      } else {                                                                                                 \
        GTEST_SKIP() << "Fashion-MNIST not found in " << ::visalign::cnn::default_fashion_mnist_folder()      \
                     << " (install Debian's dataset-fashion-mnist)";                                           \
      }                                                                                                        \
    }                                                                                                          \
  } while (false)
