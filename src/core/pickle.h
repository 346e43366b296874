// A small pickle interpreter for the files Python `torch.save` writes (protocols 2–5): enough
// opcodes for state dicts (OrderedDict, dict, tensors via torch._utils._rebuild_tensor_v2,
// nested containers, argparse-like objects kept as opaque values). LibTorch's own unpickler
// (torch::pickle_load) reads a saved tensor but maps collections.OrderedDict to None, so a state
// dict fails with "Expected GenericDict but got None" (measured with LibTorch 1.13).
#pragma once
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace egsde::pickle {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Tensor, Object };

// A Python value as far as a checkpoint needs it. Dict keeps insertion order.
struct Value {
  Kind kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0.0;
  std::string s;                                   // String, Bytes; Global: "module.name"
  std::vector<ValuePtr> items;                     // Tuple, List; Object: [callable, args]
  std::vector<std::pair<ValuePtr, ValuePtr>> dict; // Dict
  torch::Tensor tensor;                            // Tensor (and typed storages)
};

// Resolves a persistent id (torch.save: ('storage', storage_type, key, location, numel)) to
// a 1-D storage tensor.
using PersistentLoad = std::function<torch::Tensor(const Value& pid)>;

// Interprets `data` and returns the top-level object. Throws egsde::Error naming `source`.
ValuePtr load(const std::string& data, const PersistentLoad& persistent_load, const std::string& source);

// Storage / dtype global ("torch.FloatStorage", "torch.float32", ...) -> scalar type.
std::optional<torch::ScalarType> dtype_of_global(const std::string& global);

}  // namespace egsde::pickle
