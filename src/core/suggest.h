// "Did you mean ...?" for unknown names (config keys, subcommands, options).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace egsde {

// Levenshtein distance (insert, delete, substitute: cost 1 each), byte-wise.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The entry of `valid` closest to `key` by edit_distance (first one on ties); "" when
// `valid` is empty.
std::string nearest(const std::string& key, const std::vector<std::string>& valid);

// Enums at the CLI/config edge — the one name↔value table helper: the value named `s` in
// `names`, else an egsde::Error "unknown <what> 's'; did you mean '<nearest>'? (one of a, b, …)".
template <typename E>
E parse_named(const std::string& s, const std::vector<std::pair<std::string, E>>& names, const std::string& what) {
  std::vector<std::string> valid;
  std::string all;
  for (const auto& [n, e] : names) {
    if (n == s) return e;
    valid.push_back(n);
    all += (all.empty() ? "" : ", ") + n;
  }
  throw Error("unknown " + what + " '" + s + "'; did you mean '" + nearest(s, valid) + "'? (one of " + all + ")");
}

// The name of `e` in `names` ("?" if absent).
template <typename E>
std::string name_of(E e, const std::vector<std::pair<std::string, E>>& names) {
  for (const auto& [n, v] : names)
    if (v == e) return n;
  return "?";
}

}  // namespace egsde
