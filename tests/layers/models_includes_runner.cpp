// Compiled as a file of the models layer (ctest layers_enforced): models is below runner, so this
// include must not be found and the build must fail.
#include "runner/spec.h"
