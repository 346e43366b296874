// Compiled as a file of the models layer (ctest layers_enforced): core is below models, so this
// builds; it shows the failure of models_includes_runner.cpp is the layer rule, not the setup.
#include "core/error.h"

namespace egsde {
void layer_probe_downward() { throw Error("unused"); }
}  // namespace egsde
