#include "train/init_from.h"

#include <sstream>

#include "core/error.h"

namespace egsde::train {
namespace {

std::string shape(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

std::string names(const std::vector<std::string>& v, size_t max_names) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max_names; ++i) s += (i == 0 ? "" : ", ") + v[i];
  if (v.size() > max_names) s += " (and " + std::to_string(v.size() - max_names) + " more)";
  return s;
}

}  // namespace

std::string SharedLoad::summary(size_t max_names) const {
  std::string s = "loaded " + std::to_string(loaded) + " tensors, skipped " + std::to_string(skipped.size());
  if (!skipped.empty()) s += ": " + names(skipped, max_names);
  if (!not_in_checkpoint.empty())
    s += "; " + std::to_string(not_in_checkpoint.size()) +
         " tensors of the network are not in the checkpoint and keep their initialisation: " +
         names(not_in_checkpoint, max_names);
  return s;
}

SharedLoad load_shared_tensors(torch::nn::Module& module, const StateDict& sd, const std::string& source) {
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> own;
  for (const auto& p : module.named_parameters()) own[p.key()] = p.value();
  for (const auto& b : module.named_buffers()) own[b.key()] = b.value();
  SharedLoad r;
  for (const auto& [name, value] : sd) {
    const auto it = own.find(name);
    if (it == own.end()) {
      r.skipped.push_back(name + " (not in the network)");
    } else if (it->second.sizes() != value.sizes()) {
      r.skipped.push_back(name + " (checkpoint " + shape(value) + ", network " + shape(it->second) + ")");
    } else {
      it->second.copy_(value);
      ++r.loaded;
    }
  }
  for (const auto& [name, value] : own)
    if (!sd.count(name)) r.not_in_checkpoint.push_back(name);
  if (r.loaded == 0)
    throw Error("--init " + source + ": no tensor of it has a name and shape of the network (" + r.summary(3) +
                "); is it a checkpoint of this architecture (the profile's dse section)?");
  return r;
}

}  // namespace egsde::train
