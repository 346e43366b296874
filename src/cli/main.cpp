// `egsde`: thin entry point. Every subcommand's work is a library call; errors a user can fix
// arrive as egsde::Error and are printed as one line with a non-zero exit.
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"egsde — EGSDE / SDEdit / ILVR image translation and evaluation (LibTorch)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("egsde ") + EGSDE_VERSION);
  egsde::cli::register_probe(app);
  egsde::cli::register_eval(app);
  egsde::cli::register_translate(app);
  egsde::cli::register_run(app);
  egsde::cli::register_version(app);
  egsde::cli::register_table(app);
  egsde::cli::register_check(app);
  egsde::cli::register_merge(app);
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
