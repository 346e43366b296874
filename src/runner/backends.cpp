#include "runner/backends.h"

#include "core/error.h"

namespace egsde::runner {

// Issue 4 (sampler) replaces this body with its Translator; issue 5 (metrics) the one below.
TranslatorFactory sampler_translator_factory() { return {}; }
Evaluator metrics_evaluator() { return {}; }

WorkerFactory translator_worker_factory(const Plan& plan, const TranslatorFactory& factory) {
  if (!factory) throw Error("no translator: the sampler backend is not linked in");
  return [&plan, factory](const Worker& worker) -> BatchFn {
    std::shared_ptr<Translator> translator = factory(worker);
    if (!translator) throw Error("the translator factory returned nothing for " + worker.device);
    return [&plan, translator](const std::vector<WorkItem>& batch, const Worker&) {
      const PlannedRun& pr = plan.runs.at(batch.front().run_index);
      return translator->translate(pr.run, plan.spec.rng, plan.spec.profile_dir, batch);
    };
  };
}

}  // namespace egsde::runner
