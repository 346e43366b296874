// `egsde merge OUT_A OUT_B … --output OUT`: shard output roots into one (see runner/merge.h).
#include <iostream>

#include "cli/commands.h"
#include "runner/merge.h"

namespace egsde::cli {

void register_merge(CLI::App& app) {
  auto o = std::make_shared<runner::MergeOptions>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("merge", "Merge shard output roots of `egsde run --shard` into one output root");
  cmd->add_option("inputs", *inputs, "Output roots to merge")->required();
  cmd->add_option("--output", *output, "The merged output root")->required();
  cmd->add_flag("--overwrite", o->overwrite, "Replace a non-empty --output with the merge (a failed merge leaves it as it was)");
  cmd->callback([=] {
    o->inputs.assign(inputs->begin(), inputs->end());
    o->output = *output;
    const runner::MergeResult r = runner::merge_roots(*o);
    for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
    std::cout << "egsde merge: " << r.runs << " runs (" << r.complete << " complete), " << r.items << " items";
    if (r.duplicates) std::cout << " (" << r.duplicates << " identical duplicates)";
    std::cout << " in " << o->output.string() << "\n";
  });
}

}  // namespace egsde::cli
