#include "apps/offscreen_display.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "surface/map_picture.hpp"

extern char** environ;

namespace visalign::apps {

namespace {

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string folders = path == nullptr ? "/usr/bin:/bin" : path;
  for (std::size_t start = 0; start <= folders.size();) {
    const std::size_t end = std::min(folders.find(':', start), folders.size());
    const std::filesystem::path candidate = std::filesystem::path(folders.substr(start, end - start)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return "";
}

}  // namespace

OffscreenDisplay::OffscreenDisplay() {
  const char* current = std::getenv("DISPLAY");
  had_display_ = current != nullptr;
  if (had_display_) previous_display_ = current;
  std::string why;
  if (surface::display_available(why)) {
    available_ = true;
    return;
  }
  const std::string xvfb = find_on_path("Xvfb");
  if (xvfb.empty()) {
    why_not_ = why + "; Xvfb is not installed (Debian package xvfb)";
    return;
  }
  int channel[2];
  if (pipe(channel) != 0) {
    why_not_ = why + "; cannot start Xvfb (pipe: " + std::strerror(errno) + ")";
    return;
  }
  // Xvfb picks a free display and writes its number to the descriptor given with -displayfd; -noreset keeps it
  // from resetting when its last client disconnects (a connection made during a reset fails).
  std::vector<std::string> arguments = {xvfb, "-displayfd", std::to_string(channel[1]), "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, channel[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const int failed = posix_spawn(&server_, xvfb.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(channel[1]);
  if (failed != 0) {
    close(channel[0]);
    server_ = -1;
    why_not_ = why + "; cannot start Xvfb (" + std::strerror(failed) + ")";
    return;
  }
  std::string number;
  pollfd wait_for{channel[0], POLLIN, 0};
  while (poll(&wait_for, 1, 10000) > 0) {
    char c = 0;
    if (read(channel[0], &c, 1) != 1 || c == '\n') break;
    number.push_back(c);
  }
  close(channel[0]);
  if (number.empty()) {
    why_not_ = why + "; Xvfb started but gave no display within 10 s";
    return;
  }
  setenv("DISPLAY", (":" + number).c_str(), 1);
  if (!surface::display_available(why)) {
    why_not_ = "Xvfb display :" + number + ": " + why;
    return;
  }
  available_ = true;
}

OffscreenDisplay::~OffscreenDisplay() {
  if (server_ > 0) {
    kill(server_, SIGTERM);
    int status = 0;
    waitpid(server_, &status, 0);
    if (had_display_) {
      setenv("DISPLAY", previous_display_.c_str(), 1);
    } else {
      unsetenv("DISPLAY");
    }
  }
}

}  // namespace visalign::apps
