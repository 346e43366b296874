// Each `egsde` subcommand registers itself on the app; its options live in its own file.
#pragma once
#include <CLI/CLI.hpp>

namespace egsde::cli {

void register_probe(CLI::App& app);
void register_eval(CLI::App& app);
void register_translate(CLI::App& app);
void register_run(CLI::App& app);
void register_random_weights(CLI::App& app);
void register_bench(CLI::App& app);
void register_fmnist(CLI::App& app);
void register_version(CLI::App& app);
void register_bench_metrics(CLI::App& app);
void register_table(CLI::App& app);
void register_report(CLI::App& app);
void register_check(CLI::App& app);
void register_merge(CLI::App& app);
void register_train(CLI::App& app);  // train-score, train-dse, train-features
void register_eval_dse(CLI::App& app);

// The egsde command line as invoked (for provenance records); set once by main.
void set_command_line(int argc, char** argv);
const std::string& command_line();

}  // namespace egsde::cli
