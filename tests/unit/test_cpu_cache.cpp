// The CPU allocation cache (core/cpu_cache.h, issue 8's allocation-reuse lever): freed large blocks
// come back to the next request of their size class, small requests and a switched-off cache go to
// LibTorch's default allocator, the cap and the raw_allocate path (oneDNN's scratch buffers) hold,
// concurrent use leaks nothing, and results do not depend on the cache (bitwise, against the
// default allocator on the same computation).
#include <gtest/gtest.h>

#include <c10/core/Allocator.h>

#include <thread>
#include <vector>

#include "core/cpu_cache.h"

using namespace egsde;

namespace {

constexpr int64_t kLarge = int64_t{1} << 20;  // floats: 4 MiB, above the 1 MiB threshold

TEST(CpuCache, ReusesAFreedLargeBlockForTheSameSizeClass) {
  set_cpu_cache(true);
  auto a = torch::empty({kLarge});
  const void* p = a.data_ptr();
  a = torch::Tensor();
  const auto before = cpu_cache_stats();
  EXPECT_GE(before.cached_bytes, static_cast<std::size_t>(kLarge) * 4);
  auto b = torch::empty({kLarge - 7});  // the same class (4 MiB: sizes round up by at most 1/8)
  EXPECT_EQ(b.data_ptr(), p);
  EXPECT_EQ(cpu_cache_stats().hits, before.hits + 1);
  EXPECT_LE(cpu_cache_stats().live_bytes, static_cast<std::size_t>(kLarge) * 4 * 9 / 8);
}

TEST(CpuCache, SmallRequestsBypassTheCache) {
  set_cpu_cache(true);
  const auto before = cpu_cache_stats();
  { auto small = torch::empty({1000}); }
  const auto after = cpu_cache_stats();
  EXPECT_EQ(after.hits, before.hits);
  EXPECT_EQ(after.misses, before.misses);
}

TEST(CpuCache, SwitchedOffReleasesCachedBlocksAndServesNothing) {
  set_cpu_cache(true);
  auto live = torch::empty({kLarge});
  { auto t = torch::empty({2 * kLarge}); }
  EXPECT_GT(cpu_cache_stats().cached_bytes, 0u);
  set_cpu_cache(false);
  EXPECT_EQ(cpu_cache_stats().cached_bytes, 0u);
  const auto before = cpu_cache_stats();
  { auto t = torch::empty({2 * kLarge}); }
  live = torch::Tensor();  // allocated while on: freed to the system now, not cached
  const auto after = cpu_cache_stats();
  EXPECT_EQ(after.hits + after.misses, before.hits + before.misses);
  EXPECT_EQ(after.cached_bytes, 0u);
  EXPECT_EQ(after.live_bytes, 0u);
}

TEST(CpuCache, KeepsNoMoreThanTheCap) {
  CpuCacheConfig config;
  config.max_cached = static_cast<std::size_t>(kLarge) * 4 * 3 / 2;  // room for one 4 MiB block
  set_cpu_cache(true, config);
  {
    auto a = torch::empty({kLarge});
    auto b = torch::empty({kLarge});
  }
  EXPECT_LE(cpu_cache_stats().cached_bytes, config.max_cached);
  EXPECT_GT(cpu_cache_stats().cached_bytes, 0u);
  set_cpu_cache(true);  // back to the default cap
}

TEST(CpuCache, RawAllocateAndDeallocateRoundTrip) {
  // oneDNN (ideep) allocates its scratch buffers this way through the CPU allocator.
  set_cpu_cache(true);
  c10::Allocator* alloc = c10::GetAllocator(c10::DeviceType::CPU);
  void* big = alloc->raw_allocate(8 << 20);
  void* small = alloc->raw_allocate(64);
  ASSERT_NE(big, nullptr);
  ASSERT_NE(small, nullptr);
  static_cast<char*>(big)[(8 << 20) - 1] = 1;
  alloc->raw_deallocate(small);  // not a cache block: to the default allocator's deleter
  alloc->raw_deallocate(big);
  EXPECT_EQ(alloc->raw_allocate(8 << 20), big);
  alloc->raw_deallocate(big);
}

TEST(CpuCache, ConcurrentUseLeaksNothing) {
  set_cpu_cache(true);
  const auto live_before = cpu_cache_stats().live_bytes;
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([k] {
      for (int i = 0; i < 200; ++i) {
        auto t = torch::full({kLarge / 4 * (1 + (i + k) % 3)}, static_cast<float>(i));
        ASSERT_EQ(t[t.size(0) - 1].item<float>(), static_cast<float>(i));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(cpu_cache_stats().live_bytes, live_before);
}

// CpuCacheScope (issue 19: evaluation runs with the cache off): off inside the scope, its cached
// blocks released and nothing cached, then on again with the configuration it had (the cap).
TEST(CpuCache, ScopeSwitchesOffAndRestoresTheConfiguration) {
  CpuCacheConfig config;
  config.max_cached = static_cast<std::size_t>(kLarge) * 4 * 3 / 2;  // room for one 4 MiB block
  set_cpu_cache(true, config);
  { auto t = torch::empty({kLarge}); }
  EXPECT_GT(cpu_cache_stats().cached_bytes, 0u);
  {
    const CpuCacheScope off(false);
    EXPECT_FALSE(cpu_cache_stats().enabled);
    EXPECT_EQ(cpu_cache_stats().cached_bytes, 0u);
    { auto t = torch::empty({kLarge}); }
    EXPECT_EQ(cpu_cache_stats().cached_bytes, 0u);
    {
      const CpuCacheScope nested(false);  // already off: leaves it off
    }
    EXPECT_FALSE(cpu_cache_stats().enabled);
  }
  EXPECT_TRUE(cpu_cache_stats().enabled);
  {
    auto a = torch::empty({kLarge});
    auto b = torch::empty({kLarge});
  }
  EXPECT_LE(cpu_cache_stats().cached_bytes, config.max_cached) << "the scope kept the cap";
  EXPECT_GT(cpu_cache_stats().cached_bytes, 0u);
  set_cpu_cache(true);  // back to the default cap
}

// A few steps of convolutions and reductions whose intermediates are large and recycled.
torch::Tensor some_steps() {
  torch::manual_seed(3);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(16, 16, 3).padding(1));
  auto x = torch::randn({2, 16, 128, 128});  // 2 MiB per intermediate
  torch::NoGradGuard no_grad;
  for (int i = 0; i < 4; ++i) x = torch::silu(conv->forward(x)) + 0.5 * x;
  return x;
}

TEST(CpuCache, ResultsAreBitwiseTheSameAsWithTheDefaultAllocator) {
  set_cpu_cache(false);
  const auto reference = some_steps();
  set_cpu_cache(true);
  const auto hits_before = cpu_cache_stats().hits;
  const auto cached = some_steps();
  EXPECT_GT(cpu_cache_stats().hits, hits_before);  // the cache was really used
  EXPECT_TRUE(torch::equal(reference, cached));
}

}  // namespace
