// "Did you mean ...?" for unknown names (config keys, subcommands, options).
#pragma once
#include <string>
#include <vector>

namespace egsde {

// Levenshtein distance (insert, delete, substitute: cost 1 each), byte-wise.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The entry of `valid` closest to `key` by edit_distance (first one on ties); "" when
// `valid` is empty.
std::string nearest(const std::string& key, const std::vector<std::string>& valid);

}  // namespace egsde
