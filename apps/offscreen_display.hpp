#pragma once
// An X display for VTK's offscreen rendering: the one DISPLAY names when it can be opened, else a private
// Xvfb server started for as long as this object lives (Debian's VTK renders through X even offscreen).

#include <string>

#include <sys/types.h>

namespace visalign::apps {

class OffscreenDisplay {
 public:
  /// Uses DISPLAY, or starts `Xvfb` (found on PATH) and sets DISPLAY to it; available() says whether
  /// either worked and why_not() why neither did (e.g. "Xvfb is not installed (Debian package xvfb)").
  OffscreenDisplay();
  ~OffscreenDisplay();
  OffscreenDisplay(const OffscreenDisplay&) = delete;
  OffscreenDisplay& operator=(const OffscreenDisplay&) = delete;

  bool available() const { return available_; }
  const std::string& why_not() const { return why_not_; }

 private:
  bool available_ = false;
  std::string why_not_;
  pid_t server_ = -1;
  std::string previous_display_;
  bool had_display_ = false;
};

}  // namespace visalign::apps
