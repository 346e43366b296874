#include "core/cpu_cache.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <torch/version.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace egsde {
namespace {

constexpr std::size_t kAlignment = 64;  // c10::gAlignment, what the default CPU allocator gives

// n rounded up to a multiple of 1/8 of its leading power of two (waste ≤ 12.5 %).
std::size_t size_class(std::size_t n) {
  std::size_t p = 1;
  while (p <= n / 2) p <<= 1;
  const std::size_t g = p >= 8 ? p / 8 : 1;
  return (n + g - 1) / g * g;
}

void release(void* ptr);

struct CacheAllocator final : c10::Allocator {
  c10::Allocator* fallback = nullptr;
  std::mutex mu;
  CpuCacheConfig config;
  bool enabled = false;
  std::unordered_map<std::size_t, std::vector<void*>> free_blocks;  // size class → blocks
  std::unordered_map<void*, std::size_t> live;                       // block → size class
  CpuCacheStats stats;

  // LibTorch 2.3 made allocate non-const and added the pure virtual copy_data.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
  c10::DataPtr allocate(size_t n) override { return take(n); }
  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }
#else
  c10::DataPtr allocate(size_t n) const override { return const_cast<CacheAllocator*>(this)->take(n); }
#endif
  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  c10::DataPtr take(std::size_t n) {
    void* p = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu);
      if (!enabled || n < config.min_block) {
        lock.unlock();
        return fallback->allocate(n);
      }
      const std::size_t cls = size_class(n);
      auto it = free_blocks.find(cls);
      if (it != free_blocks.end() && !it->second.empty()) {
        p = it->second.back();
        it->second.pop_back();
        stats.cached_bytes -= cls;
        ++stats.hits;
      } else {
        if (posix_memalign(&p, kAlignment, cls) != 0) p = nullptr;
        if (p == nullptr) {
          release_cached_locked();  // give the cache back and try once more before failing
          if (posix_memalign(&p, kAlignment, cls) != 0 || p == nullptr) throw std::bad_alloc();
        }
        ++stats.misses;
      }
      live.emplace(p, cls);
      stats.live_bytes += cls;
    }
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }

  // false: not a block of this cache (a fallback allocation through raw_deallocate)
  bool give_back(void* p) {
    std::lock_guard<std::mutex> lock(mu);
    const auto it = live.find(p);
    if (it == live.end()) return false;
    const std::size_t cls = it->second;
    live.erase(it);
    stats.live_bytes -= cls;
    if (enabled && stats.cached_bytes + cls <= config.max_cached) {
      free_blocks[cls].push_back(p);
      stats.cached_bytes += cls;
    } else {
      std::free(p);
    }
    return true;
  }

  void release_cached_locked() {
    for (auto& [cls, blocks] : free_blocks)
      for (void* b : blocks) std::free(b);
    free_blocks.clear();
    stats.cached_bytes = 0;
  }
};

CacheAllocator& cache() {
  static auto* c = new CacheAllocator;  // never destroyed: tensors may be freed after main returns
  return *c;
}

void release(void* ptr) {
  if (ptr == nullptr) return;
  if (!cache().give_back(ptr)) cache().fallback->raw_deleter()(ptr);
}

}  // namespace

CpuCacheConfig::CpuCacheConfig() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0)
    max_cached = std::min(max_cached, static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) / 4);
}

void set_cpu_cache(bool enabled, const CpuCacheConfig& config) {
  auto& c = cache();
  static std::once_flag installed;
  std::call_once(installed, [&c] {
    c.fallback = c10::GetAllocator(c10::DeviceType::CPU);
    c10::SetAllocator(c10::DeviceType::CPU, &c, /*priority=*/1);
  });
  if (c10::GetAllocator(c10::DeviceType::CPU) != &c)
    throw Error("the CPU allocation cache could not be installed (another CPU allocator has priority); "
                "run with EGSDE_CPU_CACHE=0");
  std::lock_guard<std::mutex> lock(c.mu);
  c.config = config;
  c.enabled = enabled;
  c.stats.enabled = enabled;
  if (!enabled) c.release_cached_locked();
}

void set_cpu_cache_from_env() {
  const char* v = std::getenv("EGSDE_CPU_CACHE");
  set_cpu_cache(v == nullptr || std::string(v) != "0");
}

namespace {

// Flips the switch of an installed cache, keeping its configuration; false when not installed.
bool switch_cache(bool enabled) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.fallback == nullptr) return false;
  c.enabled = enabled;
  c.stats.enabled = enabled;
  if (!enabled) c.release_cached_locked();
  return true;
}

}  // namespace

CpuCacheScope::CpuCacheScope(bool enabled) : previous_(cpu_cache_stats().enabled), changed_(false) {
  if (enabled == previous_) return;
  if (!switch_cache(enabled)) set_cpu_cache(enabled);  // on, and never installed: install it now
  changed_ = true;
}

CpuCacheScope::~CpuCacheScope() {
  if (changed_) switch_cache(previous_);
}

CpuCacheStats cpu_cache_stats() {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.stats;
}

}  // namespace egsde
