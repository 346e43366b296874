// `egsde fmnist-prepare`: the demo's data (issue 7) — Fashion-MNIST class folders from Debian's
// dataset-fashion-mnist package (see src/datasets/fashion_mnist.h for size and channels).
#include <iostream>

#include "cli/commands.h"
#include "datasets/fashion_mnist.h"

namespace egsde::cli {

void register_fmnist(CLI::App& app) {
  struct Args {
    std::string out = "datasets/fashion_mnist/data", source = kFashionMnistDir.string();
    std::vector<std::string> splits{"train", "test"}, classes;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("fmnist-prepare", "Fashion-MNIST class folders (32x32 RGB PNG + manifest) for the demo");
  cmd->add_option("--out", a->out, "Output folder: <split>/<class>/<index>.png, manifest.json")->capture_default_str();
  cmd->add_option("--split", a->splits, "train and/or test")->delimiter(',')->capture_default_str();
  cmd->add_option("--classes", a->classes,
                  "Classes (default all): tshirt_top trouser pullover dress coat sandal shirt sneaker bag ankle_boot")
      ->delimiter(',');
  cmd->add_option("--source", a->source, "Folder of the gzip'd IDX files")->capture_default_str();
  cmd->callback([a] {
    const auto r = prepare_fashion_mnist(a->out, a->splits, a->classes, a->source);
    std::cout << "fmnist-prepare: " << r.written << " written, " << r.unchanged << " unchanged in " << a->out << "\n";
  });
}

}  // namespace egsde::cli
