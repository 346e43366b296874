#include "cli/commands.h"
namespace egsde::cli {
void register_probe(CLI::App& app) { app.add_subcommand("probe", "Run one network on an input (parity / checkpoint check)"); }
}
