// `egsde version`: the versions that go into every result's provenance.
#include <iostream>

#include "cli/commands.h"
#include "core/provenance.h"

namespace egsde::cli {

void register_version(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print egsde, LibTorch and OpenCV versions (JSON)");
  cmd->callback([] { std::cout << egsde::provenance().dump(2) << "\n"; });
}

}  // namespace egsde::cli
