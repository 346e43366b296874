// What a worker or the evaluation would refuse, checked once for the whole plan before the first
// item (issue 19: `--dry-run` passed specs that then failed in every worker, and a wrong
// evaluation file failed only after all translation was done). `egsde run` calls it with and
// without --dry-run; scripts/slurm/egsde_array.sbatch relies on the dry run to refuse a bad spec.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "translate/profile.h"
#include "runner/plan.h"

namespace egsde::runner {

// The run's profile as its worker parses it (core::parse_profile, so the same messages), with
// what a work queue cannot do refused: rng 'official', sample_step other than 1.
Profile run_profile(const Run& run, RngProtocol rng, const std::filesystem::path& profile_dir);

struct PreflightOptions {
  bool evaluate = true;  // check the evaluation's files (false under --no-eval)
};

struct Preflight {
  // One line per input that does not exist yet (weights, source folders, evaluation target and
  // networks): --dry-run prints them as notes, a real run refuses the first.
  std::vector<std::string> missing;
  std::vector<std::string> warnings;  // e.g. a respacing that leaves fewer than 2 steps
};

// Throws egsde::Error for what is wrong whatever the machine has (a profile that does not
// parse, a source "folder" that is a file, an Inception "file" that is a folder).
Preflight preflight(const Plan& plan, const PreflightOptions& options);

}  // namespace egsde::runner
