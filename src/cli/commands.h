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
void register_check(CLI::App& app);
void register_merge(CLI::App& app);

}  // namespace egsde::cli
