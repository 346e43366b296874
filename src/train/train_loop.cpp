#include "train/train_loop.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <unistd.h>

#include "core/error.h"
#include "train/ema.h"
#include "core/progress.h"

namespace egsde::train {
namespace fs = std::filesystem;

nlohmann::json TrainConfig::to_json() const {
  nlohmann::json j = {{"iterations", iterations}, {"batch_size", batch_size}, {"lr", lr},
                      {"weight_decay", weight_decay}, {"anneal_lr", anneal_lr}, {"ema_rate", ema_rate},
                      {"seed", seed}};
  for (const auto& [k, v] : extra.items()) j[k] = v;
  return j;
}

double step_lr(const TrainConfig& c, int64_t step) {
  return c.anneal_lr ? c.lr * (1.0 - static_cast<double>(step) / static_cast<double>(c.iterations)) : c.lr;
}

namespace {

// Everything but `iterations` must match for a resume to continue the same run.
std::string resume_key(const TrainConfig& c) {
  auto j = c.to_json();
  j.erase("iterations");
  return j.dump();
}

struct WindowMean {
  std::deque<nlohmann::json> rows;
  void add(nlohmann::json row) {
    rows.push_back(std::move(row));
    if (rows.size() > 100) rows.pop_front();
  }
  nlohmann::json mean() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& r : rows)
      for (const auto& [k, v] : r.items()) {
        const double sum = out.value(k, 0.0) + v.get<double>() / static_cast<double>(rows.size());
        out[k] = sum;
      }
    return out;
  }
};

torch::Tensor text_tensor(const std::string& s) {
  return torch::from_blob(const_cast<char*>(s.data()), {static_cast<int64_t>(s.size())}, torch::kUInt8).clone();
}
std::string tensor_text(const torch::Tensor& t) {
  return std::string(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), static_cast<size_t>(t.numel()));
}

void save_state(const fs::path& file, const torch::nn::Module& module, const torch::optim::Optimizer& opt, Ema* ema,
                int64_t step, double seconds, torch::Generator& gen, const std::string& key, const std::string& log) {
  torch::serialize::OutputArchive a, m, o;
  module.save(m);
  opt.save(o);
  a.write("model", m);
  a.write("optimizer", o);
  if (ema)
    for (size_t i = 0; i < ema->params().size(); ++i) a.write("ema." + std::to_string(i), ema->params()[i]);
  a.write("step", torch::tensor(step));
  a.write("seconds", torch::tensor(seconds, torch::kFloat64));
  a.write("generator", gen.get_state());
  a.write("config", text_tensor(key));
  a.write("log", text_tensor(log));
  const fs::path tmp = file.string() + ".tmp." + std::to_string(::getpid());
  a.save_to(tmp.string());
  fs::rename(tmp, file);
}

}  // namespace

TrainResult train(torch::nn::Module& module, const LossFn& loss_fn, const TrainConfig& c, const fs::path& state_file,
                  const std::string& what) {
  return train_steps(
      module,
      [&](torch::Generator& gen, torch::optim::Optimizer& opt, double lr, nlohmann::json& log) {
        for (auto& g : opt.param_groups()) g.options().set_lr(lr);
        opt.zero_grad();
        const torch::Tensor loss = loss_fn(gen, log);
        loss.backward();
        opt.step();
        return loss.item<double>();
      },
      c, state_file, what);
}

TrainResult train_steps(torch::nn::Module& module, const StepFn& step_fn, const TrainConfig& c,
                        const fs::path& state_file, const std::string& what) {
  if (c.iterations <= 0 || c.batch_size <= 0) throw Error(what + ": --iterations and --batch-size must be positive");
  module.train();
  torch::optim::AdamW opt(module.parameters(), torch::optim::AdamWOptions(c.lr).weight_decay(c.weight_decay));
  std::unique_ptr<Ema> ema = c.ema_rate > 0 ? std::make_unique<Ema>(module, c.ema_rate) : nullptr;
  torch::Generator gen = at::detail::createCPUGenerator(c.seed);
  const std::string key = resume_key(c);

  TrainResult r;
  double previous_seconds = 0;
  nlohmann::json saved_log = nlohmann::json::object();  // the loss window when the state was saved
  if (!state_file.empty() && fs::exists(state_file)) {
    torch::serialize::InputArchive a, m, o;
    a.load_from(state_file.string());
    torch::Tensor t;
    a.read("config", t);
    const std::string saved = tensor_text(t);
    if (saved != key)
      throw Error(what + ": " + state_file.string() + " was made with other settings (" + saved +
                  "); delete it to start over, or use those settings to resume");
    a.read("model", m);
    module.load(m);
    a.read("optimizer", o);
    opt.load(o);
    if (ema)
      for (size_t i = 0; i < ema->params().size(); ++i) a.read("ema." + std::to_string(i), ema->params()[i]);
    a.read("step", t);
    r.resumed_at = t.item<int64_t>();
    a.read("seconds", t);
    previous_seconds = t.item<double>();
    a.read("generator", t);
    gen.set_state(t);
    a.read("log", t);
    saved_log = nlohmann::json::parse(tensor_text(t));
    if (!c.quiet) std::cerr << what << ": resuming from " << state_file.string() << " at step " << r.resumed_at << "\n";
  }
  // the output's folder, made only now that every check has passed (a refused run leaves none)
  if (!state_file.empty() && !state_file.parent_path().empty()) fs::create_directories(state_file.parent_path());

  WindowMean window;
  const auto start = std::chrono::steady_clock::now();
  auto last_print = start - std::chrono::hours(1);
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  for (int64_t step = r.resumed_at; step < c.iterations; ++step) {
    const double lr = step_lr(c, step);
    nlohmann::json log = nlohmann::json::object();
    const double lv = step_fn(gen, opt, lr, log);
    if (ema) ema->update(module, step);
    if (!std::isfinite(lv)) throw Error(what + ": the loss is not finite at step " + std::to_string(step) + "; lower --lr");
    log["loss"] = lv;
    window.add(std::move(log));

    const int64_t done = step + 1;
    const bool last = done == c.iterations;
    if (!state_file.empty() && (done % c.save_every == 0 || last))
      save_state(state_file, module, opt, ema.get(), done, previous_seconds + elapsed(), gen, key, window.mean().dump());
    const auto now = std::chrono::steady_clock::now();
    if (!c.quiet && (last || now - last_print > std::chrono::seconds(10))) {
      last_print = now;
      const double rate = static_cast<double>(done - r.resumed_at) / std::max(elapsed(), 1e-9);
      std::string extra;
      const nlohmann::json mean = window.mean();
      for (const auto& [k, v] : mean.items()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "  %s %.4f", k.c_str(), v.get<double>());
        extra += buf;
      }
      std::cerr << what << ": step " << done << "/" << c.iterations << extra << "  " << rate << " it/s  ETA "
                << format_duration(static_cast<double>(c.iterations - done) / rate) << std::endl;
    }
  }
  r.iterations = c.iterations;
  r.final_log = window.rows.empty() ? saved_log : window.mean();
  r.final_loss = r.final_log.value("loss", 0.0);
  r.final_log.erase("loss");
  r.seconds = previous_seconds + elapsed();
  r.weights = ema ? ema->state_dict(module) : module_state_dict(module);
  module.eval();
  return r;
}

}  // namespace egsde::train
