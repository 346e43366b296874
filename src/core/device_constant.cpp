#include "core/device_constant.h"

#include <map>
#include <mutex>

namespace egsde {

torch::Tensor device_constant(const std::string& key, const torch::Device& device,
                              const std::function<torch::Tensor()>& build) {
  static std::mutex mu;
  static auto* cache = new std::map<std::pair<std::string, std::string>, torch::Tensor>;  // outlives static tensors' users
  const std::pair<std::string, std::string> k{key, device.str()};
  {
    std::lock_guard<std::mutex> lock(mu);
    const auto it = cache->find(k);
    if (it != cache->end()) return it->second;
  }
  torch::Tensor t = build().to(device);
  std::lock_guard<std::mutex> lock(mu);
  return cache->emplace(k, t).first->second;
}

}  // namespace egsde
