#pragma once
// Expecting a FormatError: the message of the error `action` throws, checked to name `path` first.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "surface/format_error.hpp"

namespace visalign::testing {

/// The FormatError message of `action`, checking that it names `path`; empty (and a failure) if none was thrown.
template <typename Action>
std::string format_error_of(Action&& action, const std::filesystem::path& path) {
  try {
    action();
  } catch (const surface::FormatError& error) {
    EXPECT_EQ(error.file(), path.string());
    const std::string message = error.what();
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    return message;
  }
  ADD_FAILURE() << "no FormatError for " << path;
  return {};
}

}  // namespace visalign::testing
