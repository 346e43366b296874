// Whole-number options at the CLI edge. CLI11's PositiveNumber is a double range: `--limit 0`
// says "Value 0 not in range 0.000000 to 1797693…". at_least(1, …) accepts integers ≥ 1 and
// otherwise says what the option takes, e.g. "--limit: 0 is not allowed: give a whole number of
// at least 1 (the number of source images to translate; omit --limit for all)". Its help tag
// is POSITIVE for 1 (as CLI11's), else ">=N".
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace egsde::cli {

inline CLI::Validator at_least(int64_t min, const std::string& what) {
  const std::string rule = "give a whole number of at least " + std::to_string(min) + " (" + what + ")";
  return CLI::Validator(
      [min, rule](std::string& text) -> std::string {
        int64_t v = 0;
        if (!CLI::detail::lexical_cast(text, v)) return "'" + text + "' is not a whole number: " + rule;
        if (v < min) return text + " is not allowed: " + rule;
        return "";
      },
      min == 1 ? "POSITIVE" : ">=" + std::to_string(min));
}

}  // namespace egsde::cli
