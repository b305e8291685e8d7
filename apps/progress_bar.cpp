#include "apps/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

namespace visalign::apps {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled),
      terminal_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - std::chrono::seconds(1)) {}

void ProgressBar::update(std::size_t done, std::size_t total) {
  if (!enabled_ || finished_ || total == 0) return;
  total_ = total;
  const auto now = std::chrono::steady_clock::now();
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (terminal_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    const double remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    std::fprintf(stderr, "\r%s [%s] %3d%% %zu/%zu %.0fs left ", label_.c_str(), bar.c_str(),
                 static_cast<int>(fraction * 100), done, total, remaining);
    std::fflush(stderr);
  } else {
    const int decile = static_cast<int>(fraction * 10);
    if (decile <= last_logged_decile_) return;
    last_logged_decile_ = decile;
    std::fprintf(stderr, "%s: %d%% (%zu/%zu, %.1fs)\n", label_.c_str(), decile * 10, done, total, elapsed);
  }
}

void ProgressBar::finish() {
  if (!enabled_ || finished_) return;
  if (total_ > 0) update(total_, total_);
  finished_ = true;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (terminal_) {
    std::fprintf(stderr, "\r%s: done in %.1fs%40s\n", label_.c_str(), elapsed, "");
  } else if (last_logged_decile_ < 10) {
    std::fprintf(stderr, "%s: done in %.1fs\n", label_.c_str(), elapsed);
  }
}

}  // namespace visalign::apps
