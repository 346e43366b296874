// `egsde`: thin entry point. Every subcommand's work is a library call; errors a user can fix
// arrive as egsde::Error and are printed as one line with a non-zero exit.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <thread>

#include "cli/commands.h"
#include "core/cpu_cache.h"
#include "core/error.h"
#include "core/suggest.h"

namespace egsde::cli {
namespace {
std::string g_command_line;
}
void set_command_line(int argc, char** argv) {
  g_command_line = "egsde";
  for (int i = 1; i < argc; ++i) g_command_line += std::string(" ") + argv[i];
}
const std::string& command_line() { return g_command_line; }

namespace {
// A first argument that is neither an option nor a command: CLI11 would say "A subcommand is
// required"; name the nearest command instead. "" when `argv[1]` is fine.
std::string unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return "";
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(argv[1])) return "";
    names.push_back(sub->get_name());
  }
  return std::string("unknown command '") + argv[1] + "'; did you mean '" + egsde::nearest(argv[1], names) +
         "'? (egsde --help lists the commands)";
}

// One line: the first line of `what`. With `details` (an egsde::Error), also the indented
// detail lines that directly follow it (core/error.h); anything after them is cut.
void say_error(std::string_view what, bool details = false) {
  size_t end = what.find('\n');
  while (details && end != std::string_view::npos && what.substr(end + 1, 2) == "  ") end = what.find('\n', end + 1);
  std::cerr << "egsde: error: " << what.substr(0, end) << "\n";
}
}  // namespace
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
  egsde::cli::register_report(app);
  egsde::cli::register_check(app);
  egsde::cli::register_merge(app);
  egsde::cli::register_train(app);
  egsde::cli::register_eval_dse(app);
#endif
  egsde::cli::set_command_line(argc, argv);
  using egsde::cli::say_error;
  if (const std::string bad = egsde::cli::unknown_command(app, argc, argv); !bad.empty()) {
    say_error(bad);
    return 1;
  }
  // No exception escapes main: what a command did not turn into egsde::Error still ends as one
  // line and exit 1 (issue 19: translate once aborted on a filesystem_error).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const egsde::Error& e) {
    say_error(e.what(), true);
    return 1;
  } catch (const c10::Error& e) {
    say_error(e.what_without_backtrace());
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    say_error(e.what());  // "filesystem error: <op>: <reason> [path]"
    return 1;
  } catch (const std::exception& e) {
    say_error(std::string("unexpected: ") + e.what());
    return 1;
  } catch (...) {
    say_error("unexpected exception of unknown type");
    return 1;
  }
  return 0;
}
