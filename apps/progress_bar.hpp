#pragma once
// A throttled progress bar on stderr when it is a terminal; plain log lines (every 10%) otherwise.

#include <chrono>
#include <cstddef>
#include <string>

namespace visalign::apps {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  /// Safe to call often: redraws at most ten times a second.
  void update(std::size_t done, std::size_t total);
  /// Draws 100% and ends the line.
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool terminal_;
  bool finished_ = false;
  int last_logged_decile_ = -1;
  std::size_t total_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace visalign::apps
