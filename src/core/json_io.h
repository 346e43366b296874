// JSON files in and out: parse errors name the file and the position; writes are atomic.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>

namespace egsde {

nlohmann::json read_json_file(const std::filesystem::path& path);
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value);

}  // namespace egsde
