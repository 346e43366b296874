// JSON files in and out: parse errors name the file, say whether it is truncated or where it is
// invalid (line:column), and what to do; writes are atomic.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace egsde {

// `fix` ends the error message when the file is not valid JSON: what the user should do
// ("rerun the evaluation ...", "regenerate it with ...").
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& fix);
// Hand-written inputs (specs, profiles): the fix is the hint for the official yml files.
nlohmann::json read_json_file(const std::filesystem::path& path);
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value);

}  // namespace egsde
