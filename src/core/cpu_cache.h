// Allocation reuse on the CPU: a caching allocator for LibTorch's large CPU tensors.
//
// A reverse step at 256² allocates and frees the same large activations (32 MiB at 128 channels)
// every step. Through glibc those blocks are mmap'ed fresh and every page is faulted in and zeroed
// by the kernel again; at 2 threads that kernel time is a third of the UNet forward. The cache
// keeps freed blocks of at least `min_block` bytes in size classes (rounded up by at most 1/8)
// and hands them out again; smaller requests go to LibTorch's default allocator unchanged.
// Values never depend on it (allocations are uninitialised either way).
#pragma once
#include <cstddef>
#include <cstdint>

namespace egsde {

struct CpuCacheConfig {
  CpuCacheConfig();  // max_cached: 16 GiB or a quarter of the physical memory, the smaller
  std::size_t min_block = std::size_t{1} << 20;    // smaller requests: the default allocator
  std::size_t max_cached = std::size_t{16} << 30;  // free bytes kept; beyond it blocks go back
};

struct CpuCacheStats {
  bool enabled = false;
  uint64_t hits = 0, misses = 0;  // large allocations served from the cache / from the system
  std::size_t cached_bytes = 0;   // free, kept for reuse
  std::size_t live_bytes = 0;     // handed out through the cache, not yet freed
};

// Installs the cache as LibTorch's CPU allocator (first call) and switches it on or off. Off:
// new allocations go to the default allocator, cached blocks are released, blocks still live
// are freed to the system when their tensors die. Thread-safe.
void set_cpu_cache(bool enabled, const CpuCacheConfig& config = {});

// The cache's switch from the environment: on unless EGSDE_CPU_CACHE=0 (for a comparison run).
void set_cpu_cache_from_env();

CpuCacheStats cpu_cache_stats();

// Switches the cache on or off until the end of a scope, then back to what it was (keeping the
// configuration). Off releases the cached blocks. Evaluation (egsde eval / fid / fid-stats and a
// run's metrics) runs with it off: an Inception pass over a few batches allocates blocks of many
// sizes that it never asks for again, and caching them kept 2x to 3x the memory (20 images:
// 1.9 GB instead of 0.97 GB peak RSS; 120 images: 5.5 GB instead of 1.7 GB; issue 19).
class CpuCacheScope {
 public:
  explicit CpuCacheScope(bool enabled);
  ~CpuCacheScope();
  CpuCacheScope(const CpuCacheScope&) = delete;
  CpuCacheScope& operator=(const CpuCacheScope&) = delete;

 private:
  bool previous_;
  bool changed_;
};

}  // namespace egsde
