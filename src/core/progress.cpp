#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace egsde {

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof(buf), "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
  else if (s >= 60) std::snprintf(buf, sizeof(buf), "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
  else std::snprintf(buf, sizeof(buf), "%llds", (long long)s);
  return buf;
}

Progress::Progress(int64_t total_images, int64_t total_steps, bool quiet)
    : total_images_(total_images),
      total_steps_(total_steps),
      quiet_(quiet),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Progress::line() const {
  const double t = elapsed_s();
  const double rate = t > 0 ? steps_ / t : 0.0;
  std::ostringstream o;
  o << "translate: " << images_ << "/" << total_images_ << " images, step " << steps_ << "/" << total_steps_;
  if (rate > 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", rate);
    o << ", " << buf << " steps/s, ETA " << format_duration((total_steps_ - steps_) / rate);
  }
  o << ", elapsed " << format_duration(t);
  return o.str();
}

void Progress::print(bool force) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    std::cerr << "\r" << line() << "\033[K" << std::flush;
  } else if (force || now - last_print_ >= std::chrono::seconds(10)) {
    std::cerr << line() << "\n" << std::flush;
    last_print_ = now;
  }
}

void Progress::step() {
  ++steps_;
  print(false);
}

void Progress::images_done(int64_t n) {
  images_ += n;
  print(true);
}

void Progress::finish() {
  if (!quiet_ && tty_) std::cerr << "\n";
}

}  // namespace egsde
