// Progress of a translation on stderr: images done, sampler steps/s and ETA. On a terminal one
// line is redrawn after every step; otherwise (CI, logs) a plain line at most every 10 s and after
// every batch. --quiet prints nothing.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace egsde {

class Progress {
 public:
  // total_steps: sampler steps of all pending batches; total_images: images to translate.
  Progress(int64_t total_images, int64_t total_steps, bool quiet);
  void step();                  // one sampler step of the current batch is done
  void images_done(int64_t n);  // a batch finished and its outputs are written
  void finish();                // ends a redrawn line
  double elapsed_s() const;

 private:
  void print(bool force);
  std::string line() const;
  int64_t total_images_, total_steps_, images_ = 0, steps_ = 0;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
};

// "1h02m", "3m07s", "12s"
std::string format_duration(double seconds);

}  // namespace egsde
