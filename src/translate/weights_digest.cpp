#include "translate/weights_digest.h"

#include <filesystem>
#include <system_error>

#include "core/digest.h"

namespace egsde {
namespace fs = std::filesystem;
using nlohmann::json;

json weights_digests(const ProfileArgs& a, Method method, std::map<std::string, std::string>* cache) {
  std::map<std::string, std::string> own;
  std::map<std::string, std::string>& c = cache ? *cache : own;
  json out = json::object();
  const auto add = [&](const char* name, const fs::path& file) {
    const std::string key = file.string();
    std::error_code ec;
    if (!c.count(key)) c[key] = fs::is_regular_file(file, ec) ? file_digest(file) : "";
    out[name] = {{"path", key}, {"digest", c[key].empty() ? json(nullptr) : json(c[key])}};
  };
  add("ckpt", a.ckpt);
  if (needs_dse(method, a)) add("dsepath", a.dsepath);
  return out;
}

std::string weights_change(const json& recorded, const json& now, const std::string& where) {
  if (!recorded.is_object()) return "";
  for (const auto& [name, n] : now.items()) {
    if (!recorded.contains(name) || !recorded[name].is_object()) continue;
    const json was = recorded[name].contains("digest") ? recorded[name]["digest"] : json();
    if (!was.is_string() || !n["digest"].is_string() || was == n["digest"]) continue;
    return "args." + name + " " + n["path"].get<std::string>() + " has digest " + n["digest"].get<std::string>() +
           ", " + where + " records " + was.get<std::string>();
  }
  return "";
}

}  // namespace egsde
