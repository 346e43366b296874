#include "core/checkpoint.h"

#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/pickle.h"

namespace egsde {
namespace fs = std::filesystem;
namespace {

std::string converter_hint(const fs::path& path) {
  return "python3 -c \"import torch; torch.save(torch.load('" + path.string() +
         "', map_location='cpu'), '" + path.string() + ".zip.pt')\"";
}

// Opens a torch.save zip archive and unpickles data.pkl, materialising storages on the CPU.
pickle::ValuePtr load_torch_file(const fs::path& path) {
  const std::string src = path.string();
  if (!fs::exists(path)) throw Error("cannot read " + src + ": file not found");
  if (fs::is_directory(path)) throw Error("cannot read " + src + ": is a directory, expected a .pt/.pth file");
  {
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {0, 0, 0, 0};
    in.read(magic, 4);
    if (static_cast<unsigned char>(magic[0]) == 0x80) {
      throw Error("cannot read " + src + ": legacy (pre-1.6, non-zip) torch.save format; convert it once with: " +
                  converter_hint(path));
    }
    if (!(magic[0] == 'P' && magic[1] == 'K')) {
      throw Error("cannot read " + src + ": not a PyTorch checkpoint (expected a zip archive written by torch.save)");
    }
  }
  try {
    caffe2::serialize::PyTorchStreamReader reader(src);
    if (!reader.hasRecord("data.pkl")) {
      throw Error("cannot read " + src + ": zip archive without data.pkl (a TorchScript model? save the state_dict instead)");
    }
    auto [pkl_ptr, pkl_size] = reader.getRecord("data.pkl");
    const std::string pkl(static_cast<const char*>(pkl_ptr.get()), pkl_size);
    std::map<std::string, torch::Tensor> storages;
    auto persistent_load = [&](const pickle::Value& pid) -> torch::Tensor {
      // ('storage', <dtype global>, key, location, numel)
      if (pid.kind != pickle::Kind::Tuple || pid.items.size() < 3 || pid.items[2]->kind != pickle::Kind::String) {
        throw Error("cannot read " + src + ": unexpected persistent id in data.pkl");
      }
      const auto dtype = pickle::dtype_of_global(pid.items[1]->s);
      if (!dtype) throw Error("cannot read " + src + ": unsupported storage type " + pid.items[1]->s);
      const std::string& key = pid.items[2]->s;
      auto it = storages.find(key);
      if (it != storages.end()) return it->second;
      auto [ptr, size] = reader.getRecord("data/" + key);
      const auto elem = static_cast<int64_t>(c10::elementSize(*dtype));
      auto t = torch::empty({static_cast<int64_t>(size) / elem}, torch::TensorOptions().dtype(*dtype));
      std::memcpy(t.data_ptr(), ptr.get(), size);
      storages.emplace(key, t);
      return t;
    };
    return pickle::load(pkl, persistent_load, src);
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    msg = msg.substr(0, msg.find('\n'));
    // A cut-off download keeps the zip's first bytes but loses its central directory (at the
    // end) or a record's data: LibTorch's "PytorchStreamReader failed reading zip archive: …".
    if (msg.find("PytorchStreamReader failed") != std::string::npos) {
      throw Error("cannot read " + src + ": corrupt or incomplete file (" + std::to_string(fs::file_size(path)) +
                  " bytes; " + msg + "); re-download it");
    }
    throw Error("cannot read " + src + ": " + msg);
  }
}

bool is_tensor_dict(const pickle::Value& v) {
  if (v.kind != pickle::Kind::Dict || v.dict.empty()) return false;
  for (const auto& [k, x] : v.dict) {
    if (k->kind != pickle::Kind::String || x->kind != pickle::Kind::Tensor) return false;
  }
  return true;
}

std::string shape_str(c10::IntArrayRef s) {
  std::ostringstream o;
  o << s;
  return o.str();
}

// Names in natural order: digit runs compare as numbers (input_blocks.2 before input_blocks.10).
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

constexpr size_t kListed = 8;  // keys listed per kind in a mismatch error

// "a, b, c and 5 more"
std::string list_some(std::vector<std::string> xs) {
  std::sort(xs.begin(), xs.end(), natural_less);
  std::string out;
  for (size_t i = 0; i < xs.size() && i < kListed; ++i) out += (i ? ", " : "") + xs[i];
  if (xs.size() > kListed) out += " and " + std::to_string(xs.size() - kListed) + " more";
  return out;
}

std::string counted(size_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : what.back() == 'h' ? "es" : "s");
}

std::string mismatch_message(const StateDict& own, const StateDict& sd, const std::string& source,
                             const MismatchContext& context) {
  std::vector<std::string> missing, unexpected, mismatched;
  std::map<std::string, std::string> shapes;  // name -> detail line
  for (const auto& [k, v] : own) {
    auto it = sd.find(k);
    if (it == sd.end()) {
      missing.push_back(k);
    } else if (it->second.sizes() != v.sizes()) {
      mismatched.push_back(k);
      shapes[k] = k + ": checkpoint " + shape_str(it->second.sizes()) + ", network " + shape_str(v.sizes());
    }
  }
  for (const auto& [k, v] : sd)
    if (!own.count(k)) unexpected.push_back(k);
  if (missing.empty() && unexpected.empty() && mismatched.empty()) return "";

  std::vector<std::string> counts;
  if (!mismatched.empty()) counts.push_back(counted(mismatched.size(), "shape mismatch"));
  if (!missing.empty()) counts.push_back(counted(missing.size(), "missing key"));
  if (!unexpected.empty()) counts.push_back(counted(unexpected.size(), "unexpected key"));
  std::string msg = "checkpoint " + source + " does not match " +
                    (context.network.empty() ? std::string("the network") : context.network) + ": ";
  for (size_t i = 0; i < counts.size(); ++i) msg += (i ? ", " : "") + counts[i];
  std::sort(mismatched.begin(), mismatched.end(), natural_less);
  for (size_t i = 0; i < mismatched.size() && i < kListed; ++i) msg += "\n  shape mismatch " + shapes[mismatched[i]];
  if (mismatched.size() > kListed) msg += "\n  and " + std::to_string(mismatched.size() - kListed) + " more shape mismatches";
  if (!missing.empty()) msg += "\n  missing (in the network, not in the checkpoint): " + list_some(missing);
  if (!unexpected.empty()) msg += "\n  unexpected (in the checkpoint, not in the network): " + list_some(unexpected);
  std::vector<std::string> hints;
  if (context.hints) hints = context.hints(sd);
  if (hints.empty()) hints.push_back("check that the config is the one the checkpoint was trained with");
  for (const auto& h : hints) msg += "\n  " + h;
  return msg;
}

}  // namespace

StateDict read_state_dict(const fs::path& path, bool strip_module_prefix) {
  auto top = load_torch_file(path);
  const pickle::Value* dict = top.get();
  if (!is_tensor_dict(*dict) && dict->kind == pickle::Kind::Dict) {
    for (const char* wrap : {"state_dict", "model", "ema", "model_state_dict", "net"}) {
      for (const auto& [k, v] : top->dict) {
        if (k->kind == pickle::Kind::String && k->s == wrap && is_tensor_dict(*v)) dict = v.get();
      }
      if (dict != top.get()) break;
    }
  }
  if (!is_tensor_dict(*dict)) {
    throw Error("cannot read " + path.string() +
                ": no state dict inside (expected a dict of tensors, as torch.save(model.state_dict()) writes)");
  }
  StateDict sd;
  bool all_prefixed = strip_module_prefix;
  for (const auto& [k, v] : dict->dict) all_prefixed = all_prefixed && k->s.rfind("module.", 0) == 0;
  for (const auto& [k, v] : dict->dict) {
    sd[all_prefixed ? k->s.substr(7) : k->s] = v->tensor;
  }
  return sd;
}

void write_state_dict(const fs::path& path, const StateDict& sd) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [k, v] : sd) dict.insert(k, v.detach().to(torch::kCPU).contiguous());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  write_file_atomic(path, std::string_view(bytes.data(), bytes.size()));
}

torch::Tensor read_pt_tensor(const fs::path& path) {
  auto top = load_torch_file(path);
  if (top->kind != pickle::Kind::Tensor) {
    throw Error("cannot read " + path.string() + ": expected a single tensor (torch.save(tensor, path))");
  }
  return top->tensor.contiguous();
}

torch::Tensor read_tensor(const fs::path& path) {
  const auto ext = path.extension().string();
  if (ext == ".npy") return read_npy(path);
  if (ext == ".pt" || ext == ".pth") return read_pt_tensor(path);
  throw Error("cannot read " + path.string() + ": unknown tensor file type '" + ext + "' (use .npy or .pt)");
}

StateDict module_state_dict(const torch::nn::Module& module) {
  StateDict sd;
  for (const auto& p : module.named_parameters(true)) sd[p.key()] = p.value();
  for (const auto& b : module.named_buffers(true)) sd[b.key()] = b.value();
  return sd;
}

void load_state_dict(torch::nn::Module& module, const StateDict& sd, const std::string& source,
                     const MismatchContext& context) {
  StateDict own = module_state_dict(module);
  if (std::string msg = mismatch_message(own, sd, source, context); !msg.empty()) throw Error(msg);
  // NaN/Inf weights would only show as "sample became NaN at step 0": name the tensor here.
  for (const auto& [k, v] : own) {
    const torch::Tensor& t = sd.at(k);
    if (!t.is_floating_point() || torch::isfinite(t).all().item<bool>()) continue;
    const int64_t nan = torch::isnan(t).sum().item<int64_t>();
    const int64_t inf = torch::isinf(t).sum().item<int64_t>();
    throw Error("checkpoint " + source + ": tensor '" + k + "' has " + std::to_string(nan) + " NaN and " +
                std::to_string(inf) + " Inf values of " + std::to_string(t.numel()) +
                "; the file is damaged or its training diverged: use another checkpoint");
  }
  torch::NoGradGuard no_grad;
  for (auto& [k, v] : own) v.copy_(sd.at(k));
}

}  // namespace egsde
