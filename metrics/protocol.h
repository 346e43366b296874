// FID protocols: how an image file becomes the tensor handed to the FID Inception network
// (whose forward, like the official InceptionV3, resizes to 299 bilinearly and maps [0,1] to
// [-1,1]). A protocol is part of every statistics cache key and every result row.
//   official-afhq    tool/fid.py for cat2dog / wild2dog: ToTensor at the native size.
//   official-celeba  tool/fid.py for male2female: PIL bilinear Resize([256,256]) →
//                    Resize([299,299]) → ToTensor → ImageNet Normalize; the network then also
//                    applies its own 2x−1 (the official double normalisation, kept on purpose).
//   clean            clean-fid style: per-channel float PIL bicubic resize to 299 (antialiased,
//                    no uint8 rounding), clipped to [0,255], /255. An extension: its numbers
//                    are NOT comparable with the paper's.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace egsde::metrics {

enum class FidProtocol { OfficialAfhq, OfficialCeleba, Clean };

std::string to_string(FidProtocol p);

// Parses "official-afhq" | "official-celeba" | "clean"; throws egsde::Error suggesting them.
FidProtocol parse_fid_protocol(const std::string& name);

// The paper's evaluation tasks (spec "evaluation.task", `egsde eval --task`); custom = any folders.
enum class Task { Cat2dog, Wild2dog, Male2female, MultiAfhq, Custom };

std::string to_string(Task t);
Task parse_task(const std::string& name);  // "cat2dog" | … | "custom"; throws suggesting them
const std::vector<std::string>& task_names();

// The protocol the official tool/fid.py uses for a task: official-celeba for male2female, else
// official-afhq (the one task→protocol map).
FidProtocol default_protocol(Task t);

// [H, W, 3] uint8 RGB -> [3, H', W'] float32 network input under protocol `p`.
torch::Tensor fid_input(const torch::Tensor& image_hwc_u8, FidProtocol p);

}  // namespace egsde::metrics
