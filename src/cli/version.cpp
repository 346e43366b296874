// `egsde version`: the versions that go into every result's provenance.
#include <iostream>

#include "cli/commands.h"
#include "core/provenance.h"
#include "models/winograd.h"

namespace egsde::cli {

void register_version(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print egsde, LibTorch and OpenCV versions (JSON), and whether --conv "
                                           "winograd is available here");
  cmd->callback([] {
    auto j = egsde::provenance();
    j["conv_winograd"] = winograd_available() ? "available" : winograd_unavailable_reason();
    std::cout << j.dump(2) << "\n";
  });
}

}  // namespace egsde::cli
