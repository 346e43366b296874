// `egsde translate` as a library call: translate the profile's source folder with EGSDE (or
// SDEdit / ILVR) and write one image per source and repeat, as runners/egsde.py does:
//   <output>/<repeat>/<source name>      (repeat = 0 … sample_step−1, the official samplepath/<it>/)
//   <output>/<repeat>/<stem>.npy          with save_raw: the float result before clamping, [3,H,W]
//   <output>/translate.json               the run's record (resolved profile, protocol, provenance,
//                                         status running|complete|failed, each output's size + digest)
// Images whose outputs translate.json records and which still match are skipped (resume) unless
// `overwrite`; a non-empty folder without translate.json needs `overwrite`. The output folder is
// locked (core/output_lock.h) for the run; every file is written atomically.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/precision.h"
#include "models/winograd.h"
#include "translate/profile.h"
#include "samplers/noise.h"
#include "translate/method_sampler.h"

namespace egsde {

// same: the source's file name and format (official); png: lossless; jpg: quality 75.
enum class OutputFormat { Same, Png, Jpg };

OutputFormat parse_output_format(const std::string& s);
std::string to_string(OutputFormat f);

struct TranslateOptions {
  std::filesystem::path output;
  RngProtocol rng = RngProtocol::PerSample;
  Method method = Method::Egsde;
  OutputFormat format = OutputFormat::Same;
  bool save_raw = false;
  int64_t batch_size = 0;  // 0: the profile's args.batch_size
  torch::Device device = torch::kCPU;
  bool overwrite = false;
  bool quiet = false;
  int64_t limit = 0;    // translate only the first N sources (0: all)
  int64_t respace = 0;  // 0: the full schedule; K: K evenly spaced steps (guided-diffusion respacing)
  Precision precision = Precision::Fp32;  // fp32 (official) | tf32 | bf16 autocast (changes the images)
  ConvAlgo conv = ConvAlgo::Direct;       // winograd: oneDNN Winograd 3x3 convolutions on the CPU (rounding)
  std::vector<std::filesystem::path> source;  // replaces args.testdata_path when not empty
};

struct TranslateSummary {
  int64_t sources = 0, translated = 0, skipped = 0;
  double wall_s = 0;
  nlohmann::json record;  // what translate.json holds
};

TranslateSummary translate_folder(const Profile& profile, const TranslateOptions& options);

// The output image's file name for a source name: kept with `same`, else the stem + .png/.jpg.
std::string output_name(const std::string& source_name, OutputFormat format);

}  // namespace egsde
