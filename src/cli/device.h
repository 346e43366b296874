// --device at the CLI edge: "cpu", "cuda" or "cuda:N", checked against this build and machine.
#pragma once
#include <torch/torch.h>

#include <string>

#include "core/error.h"

namespace egsde::cli {

inline torch::Device parse_device(const std::string& s) {
  try {
    torch::Device d(s);
    if (d.is_cuda() && !torch::cuda::is_available())
      throw Error("--device " + s + ": CUDA is not available in this build or on this machine");
    if (d.is_cuda() && d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count()))
      throw Error("--device " + s + ": only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
    return d;
  } catch (const c10::Error&) {
    throw Error("--device '" + s + "' is not a device; use cpu, cuda or cuda:N");
  }
}

}  // namespace egsde::cli
