#include "samplers/sdedit.h"

namespace egsde {

std::vector<torch::Tensor> sdedit_sample(const torch::Tensor& x0, const EpsFn& eps_fn, const Schedule& s,
                                         const EgsdeConfig& config, NoiseSource& noise,
                                         const StepObserver& observer) {
  return egsde_sample(x0, eps_fn, {}, s, config, noise, observer);
}

}  // namespace egsde
