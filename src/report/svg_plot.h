// The realism–faithfulness trade-off as a hand-written SVG: two panels, FID (y) against SSIM and
// against L2 (x), one point per (method, grid point) with ±1 std error bars and a label, and the
// paper's values (where known) as hollow markers.
#pragma once
#include <string>

#include "report/aggregate.h"

namespace egsde::report {

std::string tradeoff_svg(const Aggregate& agg, const std::string& title);

}  // namespace egsde::report
