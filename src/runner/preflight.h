// What a worker or the evaluation would refuse, checked once for the whole plan before the first
// item (issue 19: `--dry-run` passed specs that then failed in every worker, and a wrong
// evaluation file failed only after all translation was done). `egsde run` calls it with and
// without --dry-run; scripts/slurm/egsde_array.sbatch relies on the dry run to refuse a bad spec.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "runner/plan.h"
#include "translate/method_sampler.h"

namespace egsde::runner {

// A work queue translates items in any order and split across devices: rng 'official' (whose
// noise depends on the whole folder's batching) is refused. Throws egsde::Error naming `where`.
void check_rng(RngProtocol rng, const std::string& where);

// The sampler algorithm a spec's method runs (egsde-dagger is EGSDE with its own ls/li/t).
egsde::Method sampler_method(Method m);

struct PreflightOptions {
  bool evaluate = true;  // check the evaluation's files (false under --no-eval)
};

struct Preflight {
  // One line per input that does not exist yet (weights, source folders, evaluation target and
  // networks): --dry-run prints them as notes, a real run refuses the first.
  std::vector<std::string> missing;
  std::vector<std::string> warnings;  // e.g. a respacing that leaves fewer than 2 steps
};

// Throws egsde::Error for what is wrong whatever the machine has (rng 'official', a source
// "folder" that is a file, an Inception "file" that is a folder). Each run's profile was parsed
// when the spec expanded (runner/expand.h), with the worker's own parser and messages.
Preflight preflight(const Plan& plan, const PreflightOptions& options);

}  // namespace egsde::runner
