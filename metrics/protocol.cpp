#include "metrics/protocol.h"

#include "core/error.h"
#include "core/pil_resize.h"
#include "core/suggest.h"
#include "metrics/transforms.h"

namespace egsde::metrics {

namespace {
const std::vector<std::pair<std::string, FidProtocol>> kProtocols = {
    {"official-afhq", FidProtocol::OfficialAfhq}, {"official-celeba", FidProtocol::OfficialCeleba}, {"clean", FidProtocol::Clean}};
const std::vector<std::pair<std::string, Task>> kTasks = {{"cat2dog", Task::Cat2dog},
                                                          {"wild2dog", Task::Wild2dog},
                                                          {"male2female", Task::Male2female},
                                                          {"multi_afhq", Task::MultiAfhq},
                                                          {"custom", Task::Custom}};
}  // namespace

std::string to_string(FidProtocol p) { return name_of(p, kProtocols); }
FidProtocol parse_fid_protocol(const std::string& name) { return parse_named(name, kProtocols, "FID protocol"); }
std::string to_string(Task t) { return name_of(t, kTasks); }
Task parse_task(const std::string& name) { return parse_named(name, kTasks, "task"); }

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, t] : kTasks) n.push_back(name);
    return n;
  }();
  return names;
}

FidProtocol default_protocol(Task t) {
  return t == Task::Male2female ? FidProtocol::OfficialCeleba : FidProtocol::OfficialAfhq;
}

torch::Tensor fid_input(const torch::Tensor& image, FidProtocol p) {
  switch (p) {
    case FidProtocol::OfficialAfhq:
      return to_tensor(image);
    case FidProtocol::OfficialCeleba: {
      // TF.Resize([256, 256]) and TF.Resize([299, 299]): torchvision's default BILINEAR on PIL
      // (a no-op when the size already matches).
      auto x = image;
      for (int s : {256, 299}) {
        if (x.size(0) != s || x.size(1) != s) x = pil_resize(x, s, s, PilFilter::Bilinear);
      }
      static const auto mean = torch::tensor({0.485, 0.456, 0.406}, torch::kFloat32).view({3, 1, 1});
      static const auto std = torch::tensor({0.229, 0.224, 0.225}, torch::kFloat32).view({3, 1, 1});
      return to_tensor(x).sub(mean).div(std);  // TF.Normalize
    }
    case FidProtocol::Clean: {
      std::vector<torch::Tensor> planes;
      const auto f = image.to(torch::kFloat32);
      for (int c = 0; c < 3; ++c) {
        planes.push_back(pil_resize_float(f.select(2, c).contiguous(), 299, 299, PilFilter::Bicubic).clamp(0, 255));
      }
      return torch::stack(planes, 0) / 255;
    }
  }
  throw Error("unknown FID protocol");
}

}  // namespace egsde::metrics
