// `egsde`: thin entry point. Every subcommand's work is a library call; errors a user can fix
// arrive as egsde::Error and are printed as one line with a non-zero exit.
#include <cstdlib>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "core/cpu_cache.h"
#include "core/error.h"

namespace egsde::cli {
namespace {
std::string g_command_line;
}
void set_command_line(int argc, char** argv) {
  g_command_line = "egsde";
  for (int i = 1; i < argc; ++i) g_command_line += std::string(" ") + argv[i];
}
const std::string& command_line() { return g_command_line; }
}  // namespace egsde::cli

int main(int argc, char** argv) {
  // Debian's LibTorch (OpenMP) starts with one thread here; use every core unless
  // OMP_NUM_THREADS says otherwise (the parity tests set 1 to match the official runs).
  if (const char* omp = std::getenv("OMP_NUM_THREADS"); omp == nullptr || *omp == '\0') {
    const unsigned cores = std::thread::hardware_concurrency();
    if (cores > 1) torch::set_num_threads(static_cast<int>(cores));
  }
  // Reuse large CPU blocks across steps instead of faulting fresh pages in (core/cpu_cache.h);
  // EGSDE_CPU_CACHE=0 switches it off.
  egsde::set_cpu_cache_from_env();
  CLI::App app{"egsde — EGSDE / SDEdit / ILVR image translation and evaluation (LibTorch)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("egsde ") + EGSDE_VERSION);
  egsde::cli::register_probe(app);
  egsde::cli::register_random_weights(app);
  egsde::cli::register_bench(app);
  egsde::cli::register_version(app);
#ifndef EGSDE_GPU_LEAN  // the tensor-level build has the four commands above (CMakeLists.txt)
  egsde::cli::register_eval(app);
  egsde::cli::register_translate(app);
  egsde::cli::register_run(app);
  egsde::cli::register_fmnist(app);
  egsde::cli::register_bench_metrics(app);
  egsde::cli::register_table(app);
  egsde::cli::register_check(app);
  egsde::cli::register_merge(app);
  egsde::cli::register_train(app);
#endif
  egsde::cli::set_command_line(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const egsde::Error& e) {
    std::cerr << "egsde: error: " << e.what() << "\n";
    return 1;
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    std::cerr << "egsde: error: " << msg.substr(0, msg.find('\n')) << "\n";
    return 1;
  }
  return 0;
}
