#include "core/provenance.h"
#include "core/cpu_cache.h"

#ifndef EGSDE_GPU_LEAN
#include <opencv2/core/version.hpp>
#endif
#ifdef EGSDE_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif
#include <torch/torch.h>
#include <torch/version.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace egsde {
namespace {

// The source checkout's commit (+ "-dirty"), read at run time so the binary never reports a
// stale commit baked in at configure time; "unknown" outside a git checkout.
std::string git_commit() {
  const std::string cmd = std::string("git -C '") + EGSDE_SOURCE_DIR +
                          "' describe --always --dirty --abbrev=12 --match=NONE 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return "unknown";
  char buf[128] = {0};
  std::string out = std::fgets(buf, sizeof(buf), pipe) ? buf : "";
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out.empty() ? "unknown" : out;
}

// The BLAS/LAPACK libraries this process loaded, in load order (= symbol lookup order), e.g.
// .../openblas-pthread/libblas.so.3 or Debian's netlib reference .../blas/libblas.so.3 (chosen by
// the libblas.so.3 alternative or LD_LIBRARY_PATH): LibTorch's bmm (attention) speed depends on it.
std::string loaded_blas() {
  std::string found;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find("libblas.so") == std::string::npos && name.find("libopenblas") == std::string::npos &&
            name.find("libmkl_rt") == std::string::npos)
          return 0;
        char real[PATH_MAX];
        auto& s = *static_cast<std::string*>(out);
        s += (s.empty() ? "" : " + ") + std::string(::realpath(name.c_str(), real) ? real : name.c_str());
        return 0;
      },
      &found);
  return found.empty() ? "none" : found;
}

// The CUDA runtime LibTorch was built with and the current device (a CUDA build only).
nlohmann::json cuda_info() {
#ifdef EGSDE_WITH_CUDA
  nlohmann::json j = {{"runtime", CUDART_VERSION}, {"devices", torch::cuda::device_count()}};
  if (torch::cuda::is_available()) {
    const cudaDeviceProp* p = at::cuda::getCurrentDeviceProperties();
    j["device"] = p->name;
    j["capability"] = std::to_string(p->major) + "." + std::to_string(p->minor);
    j["memory_gib"] = static_cast<double>(p->totalGlobalMem) / (1024.0 * 1024.0 * 1024.0);
  }
  return j;
#else
  return "not built with CUDA";
#endif
}

}  // namespace

nlohmann::json provenance() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  return {
      {"egsde", EGSDE_VERSION},
      {"commit", git_commit()},
      {"libtorch", TORCH_VERSION},
#ifdef EGSDE_GPU_LEAN
      {"opencv", "none (EGSDE_GPU_LEAN)"},
#else
      {"opencv", CV_VERSION},
#endif
      {"blas", loaded_blas()},
      {"cuda_available", torch::cuda::is_available()},
      {"cuda", cuda_info()},
      {"threads", torch::get_num_threads()},
      {"cpu_cache", cpu_cache_stats().enabled},
      {"host", host},
  };
}

}  // namespace egsde
